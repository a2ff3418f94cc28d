import { describe, expect, it } from 'vitest';
import { stageNames } from '../../../src/domain/stages.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPromotion } from '../../fakes/promotions.js';

describe('a promotion on the happy path', () => {
  it('runs every stage in order, shifts traffic step by step with verification, and decommissions blue after approval', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());

    const waiting = await h.drive('p-1');
    expect(waiting.phase).toBe('waiting-approval');
    expect(waiting.currentStage).toBe('decommission');
    expect(waiting.gates.map((g) => g.id)).toEqual(['decommission']);
    expect(h.cloud.greenPercent()).toBe(100);
    expect(h.cloud.state.clusters['shop-blue']).toBeDefined();

    await h.controller.approve('p-1', 'decommission', { name: 'bob', mayDecommission: true });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('succeeded');
    expect(done.finishedAt).toBeDefined();
    expect(stageNames.map((s) => done.stages[s].state)).toEqual(stageNames.map(() => 'succeeded'));
    expect(h.cloud.state.deleted).toEqual(['shop-blue']);
    expect(h.cloud.state.created).toEqual({ 'shop-green': 1 });
    expect(done.traffic.history.map((c) => c.green)).toEqual([1, 10, 50, 100]);

    // Each step: green ready → read → one write → verify until in sync. Never a write without a check first.
    expect(h.cloud.calls('router.apply')).toEqual([
      'router.apply(1)',
      'router.apply(10)',
      'router.apply(50)',
      'router.apply(100)',
    ]);
    const calls = h.cloud.state.calls;
    for (const green of [1, 10, 50, 100]) {
      const apply = calls.indexOf(`router.apply(${green})`);
      expect(calls.slice(apply - 2, apply)).toEqual(['router.read', 'health.readyForTraffic(shop-green)']);
      expect(calls.slice(apply + 1, apply + 3)).toEqual([
        `router.verify(${green})`,
        `router.verify(${green})`,
      ]);
    }
    // Stages ran in order: the first call of each provider step comes after the previous stage's.
    const firstIndex = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    const order = [
      'clusters.ensureCluster',
      'clusters.ensureFoundation',
      'health.qualifyFoundation',
      'services.deploy',
      'services.qualify',
      'router.apply',
      'clusters.teardown',
    ].map(firstIndex);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('bakes each step at least the TTL before the next weight change', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1');
    const verified = (await h.store.events('p-1'))
      .filter((e) => e.type === 'traffic.verified')
      .map((e) => Date.parse(e.at));
    expect(verified).toHaveLength(4);
    for (let i = 1; i < verified.length; i++)
      expect((verified[i] ?? 0) - (verified[i - 1] ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('sets stage timestamps once: startedAt before finishedAt, and never moved by later passes', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    const first = await h.drive('p-1', { until: (p) => p.currentStage === 'foundation' });
    const provisionStart = first.stages.provision.startedAt;
    const later = await h.drive('p-1');
    expect(later.stages.provision.startedAt).toBe(provisionStart);
    expect(later.stages.provision.finishedAt).toBe(first.stages.provision.finishedAt);
    for (const name of stageNames.slice(0, -1)) {
      const s = later.stages[name];
      expect(Date.parse(s.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(s.startedAt ?? ''));
    }
  });
});
