/**
 * Green starts failing while 10 % of traffic is on green, and the promotion rolls back on its own —
 * blue checked, weights back, verified: once when its health endpoint fails the step's analysis, once
 * when its pods start crash-looping mid-bake (green is looked at on every poll of a bake).
 */
import { expect, it } from 'vitest';
import { podFaults } from '../env/faults.js';
import { failPods } from '../env/world-faults.js';
import { describeWithServers } from '../integration/environment.js';
import { shopState } from './moto-state.js';
import { useE2E } from './support.js';

describeWithServers('automatic rollback when green starts failing during a traffic step', () => {
  const e2e = useE2E({
    platform: {
      steps: (smoke) => [
        { green: 1, bake: '2s' },
        {
          green: 10,
          bake: '6s',
          analysis: [
            {
              name: 'green-health',
              provider: 'http',
              query: { url: smoke.shop.url, measure: 'status', timeout: '1s' },
              range: { max: 299 },
              interval: '500ms',
              count: 8,
              failureLimit: 1,
            },
          ],
        },
        { green: 50, bake: '2s' },
        { green: 100, bake: '2s' },
      ],
    },
  });

  it('measures green at 10 %, sees it fail, and rolls back without a person', async () => {
    const created = await e2e.cli(['promote', 'shop', '--to', '1.36', '--output', 'json']);
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    await e2e.waitFor(id, (p) => p.traffic.green === 10);
    e2e.world.smoke.shop.healthy = false;

    const done = await e2e.waitFor(id, (p) => p.phase === 'rolled-back', 120_000);
    expect(done.rollback).toMatchObject({
      requestedBy: 'switchyard',
      reason: expect.stringMatching(/^shift-traffic failed: .*green-health/),
    });
    expect(done.traffic.history.map((h: { green: number }) => h.green)).toEqual([1, 10, 0]);
    expect((await shopState(e2e.world.aws.hostedZoneId)).weights).toEqual({
      'shop-blue': 100,
      'shop-green': 0,
    });
  });

  it("sees green's pods crash-loop in the middle of a bake and rolls back without a person", async () => {
    e2e.world.smoke.shop.healthy = true;
    const created = await e2e.cli(['promote', 'shop', '--to', '1.36', '--output', 'json']);
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    await e2e.waitFor(id, (p) => p.traffic.green === 10 && p.stages['shift-traffic'].saved?.part === 'bake');
    const { kube, names } = e2e.world;
    await failPods(kube.green, names.namespaces.shop, 'web', podFaults.crashLoop);
    try {
      const done = await e2e.waitFor(id, (p) => p.phase === 'rolled-back', 120_000);
      expect(done.rollback).toMatchObject({
        requestedBy: 'switchyard',
        reason: expect.stringMatching(
          /^shift-traffic failed: green degraded while baking at 10% \(2 looks in a row\): .*container web: CrashLoopBackOff/,
        ),
      });
      expect(done.traffic.history.map((h: { green: number }) => h.green)).toEqual([1, 10, 0]);
      expect((await shopState(e2e.world.aws.hostedZoneId)).weights).toEqual({
        'shop-blue': 100,
        'shop-green': 0,
      });
    } finally {
      await failPods(kube.green, names.namespaces.shop, 'web', null);
    }
  });
});
