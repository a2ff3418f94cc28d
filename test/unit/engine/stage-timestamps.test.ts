import { describe, expect, it } from 'vitest';
import type { ClusterProvisioner } from '../../../src/domain/ports.js';
import { stageNames } from '../../../src/domain/stages.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPromotion } from '../../fakes/promotions.js';

/** Makes every run of `method` take `ms` on the harness's clock, as a slow provider call would. */
function slow<K extends 'ensureFoundation' | 'teardown'>(
  clusters: ClusterProvisioner,
  method: K,
  clock: { advance(ms: number): void },
  ms: number,
): void {
  const original = clusters[method].bind(clusters) as ClusterProvisioner[K];
  clusters[method] = (async (request: never) => {
    clock.advance(ms);
    return (original as (r: never) => Promise<unknown>)(request);
  }) as ClusterProvisioner[K];
}

describe('stage timestamps', () => {
  it('match the stage.started and stage.succeeded events and include the time of the last run', async () => {
    const h = engineHarness();
    h.cloud.behaviour.foundationPolls = 0;
    slow(h.providers.clusters, 'ensureFoundation', h.clock, 7_000);
    slow(h.providers.clusters, 'teardown', h.clock, 3_000);
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1');
    await h.controller.approve('p-1', 'decommission', { name: 'bob', mayDecommission: true });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('succeeded');

    const events = await h.store.events('p-1');
    const eventAt = (type: string, stage: string) =>
      events.find((e) => e.type === type && e.data?.stage === stage)?.at;
    for (const name of stageNames) {
      const status = done.stages[name];
      expect(status.startedAt, name).toBe(eventAt('stage.started', name));
      expect(status.finishedAt, name).toBe(eventAt('stage.succeeded', name));
    }
    // Foundation did all its work in one run of 7 s: that is its duration, not 0 s.
    const took = (name: 'foundation' | 'decommission') =>
      Date.parse(done.stages[name].finishedAt ?? '') - Date.parse(done.stages[name].startedAt ?? '');
    expect(took('foundation')).toBe(7_000);
    // Decommission's last run (the teardown, 3 s) ends it: the finish is after that run, not before it.
    expect(took('decommission')).toBeGreaterThanOrEqual(3_000);
    expect(done.finishedAt).toBe(done.stages.decommission.finishedAt);
  });

  it('hands one stage over to the next in one write: succeeded and started together', async () => {
    const store = createMemoryStore();
    const writes: string[][] = [];
    const update = store.update.bind(store);
    store.update = (promotion, events) => {
      writes.push((events ?? []).map((e) => `${e.type} ${e.data?.stage ?? ''}`.trim()));
      return update(promotion, events);
    };
    const h = engineHarness({ store });
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1');
    for (const [index, name] of stageNames.entries()) {
      const before = stageNames[index - 1];
      if (before === undefined) continue;
      expect(writes, name).toContainEqual(
        expect.arrayContaining([`stage.succeeded ${before}`, `stage.started ${name}`]),
      );
    }
  });
});
