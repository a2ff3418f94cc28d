/**
 * A rollback asked for during each stage, through the API, with the controller as its own process. EKS
 * calls are slowed by the fault proxy (1 s each) so provision and foundation are seen in progress;
 * qualification stages are held by workloads still rolling out.
 */

import { expect, it } from 'vitest';
import { stallRollout } from '../env/world-faults.js';
import { describeWithServers } from '../integration/environment.js';
import { shopState } from './moto-state.js';
import { type Json, useE2E } from './support.js';

describeWithServers('rollback requested during each stage', () => {
  const e2e = useE2E({ faults: { latencyShare: 1, latencyMs: 1_000, services: ['eks'] } });

  async function rollbackWhen(
    label: string,
    reached: (p: Json) => boolean,
    hold?: () => Promise<void>,
    release?: () => Promise<void>,
  ): Promise<Json> {
    await hold?.();
    const created = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await e2e.waitFor(id, reached);
    const requested = await e2e.api('POST', `/v1/promotions/${id}/rollback`, {
      reason: `e2e: during ${label}`,
      green: 'teardown',
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(200);
    await release?.();
    const done = await e2e.waitFor(id, (p) => p.phase === 'rolled-back', 120_000);
    // Green was deleted only once its drain deadline had passed.
    const events = (await e2e.api('GET', `/v1/promotions/${id}`)).body.events as Json[];
    const draining = events.find((e) => e.type === 'rollback.draining');
    expect(draining, 'the drain deadline is stored before teardown').toBeDefined();
    expect(Date.parse(done.rollback.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(draining?.data.drainDeadline),
    );
    return { requested: requested.body, done };
  }

  // Blue's web template carries an image that cannot be pulled, so its copy on green never becomes
  // available and qualify-services keeps waiting; released on both clusters once the rollback is asked.
  const shopWeb = () => e2e.world.names.namespaces.shop;
  const stages: [string, (p: Json) => boolean, (() => Promise<void>)?, (() => Promise<void>)?][] = [
    ['provision', (p) => p.currentStage === 'provision'],
    ['foundation', (p) => p.currentStage === 'foundation'],
    [
      'qualify-services',
      (p) => p.currentStage === 'qualify-services' && p.stages['qualify-services'].state === 'running',
      () => stallRollout(e2e.world.kube.blue, shopWeb(), 'web'),
      async () => {
        await stallRollout(e2e.world.kube.blue, shopWeb(), 'web', null);
        await stallRollout(e2e.world.kube.green, shopWeb(), 'web', null).catch(() => undefined);
      },
    ],
  ];
  it.each(stages)(
    'during %s: no weight written, green deleted after the drain delay',
    async (label, reached, hold, release) => {
      const { requested, done } = await rollbackWhen(label, reached, hold, release);
      expect(requested.currentStage).toBe(label);
      expect(done.traffic.green).toBe(0);
      const state = await shopState(e2e.world.aws.hostedZoneId);
      expect(state.clusters).not.toContain('shop-green');
      // Traffic never moved: the original simple record still sends everything to blue.
      expect(state.weights).toEqual({ simple: null });
    },
  );

  it.each([1, 10, 50, 100])(
    'during the %i percent step: blue takes all traffic back, verified, then green is deleted',
    async (green) => {
      const { requested, done } = await rollbackWhen(
        `the ${green}% step`,
        (p) => p.traffic.green === green && p.currentStage === 'shift-traffic',
      );
      expect(requested.currentStage).toBe('shift-traffic');
      expect(done.traffic.history.at(-1)).toMatchObject({ green: 0, reason: 'rollback' });
      const state = await shopState(e2e.world.aws.hostedZoneId);
      expect(state.weights).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
      expect(state.clusters).not.toContain('shop-green');
    },
  );
});
