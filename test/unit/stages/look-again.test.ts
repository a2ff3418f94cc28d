import { describe, expect, it } from 'vitest';
import { firstLookMs, lookAgainMs } from '../../../src/domain/stage.js';
import { type EngineHarness, engineHarness } from '../../fakes/harness.js';
import { testPlan, testPromotion } from '../../fakes/promotions.js';

describe('looking again at an operation under way', () => {
  it('starts soon and doubles up to the poll interval, never beyond', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((looks) => lookAgainMs(5_000, looks))).toEqual([
      firstLookMs,
      100,
      200,
      400,
      800,
      1_600,
      3_200,
      5_000,
      5_000,
    ]);
    // A poll interval shorter than the first look is the plan's choice, and kept.
    expect(lookAgainMs(20, 0)).toBe(20);
  });

  it('a waiting stage comes back on that backoff, counting its looks in its saved status', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('foundation');
    await h.controller.startPromotion(testPromotion('p-1', testPlan()));
    await h.drive('p-1', { until: (p) => p.currentStage === 'foundation' });
    // The pass that finished provision went on into foundation and took its first look there.
    const waits = [await nextRunIn(h)];
    for (let pass = 0; pass < 8; pass++) {
      const outcome = await h.controller.engine.pass('p-1');
      waits.push(outcome.requeueAfterMs ?? -1);
      h.clock.advance(outcome.requeueAfterMs ?? 0);
    }
    expect(waits).toEqual([50, 100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    // Kept with the promotion: a restarted controller carries on from the same look.
    expect((await h.get('p-1')).stages.foundation.saved).toEqual({ looks: 9 });

    h.cloud.behaviour.hold.delete('foundation');
    const done = await h.drive('p-1', { until: (p) => p.currentStage !== 'foundation' });
    // The stage's own result replaces the count once it is done.
    expect(done.stages.foundation.saved).toEqual({ addons: { 'vpc-cni': 'v1.20.0-eksbuild.1' } });
  });

  it('a Route 53 change not yet in sync is looked at again soon, and the count starts afresh per step', async () => {
    const h = engineHarness();
    h.cloud.behaviour.verifyPolls = 3;
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.currentStage === 'shift-traffic' });
    // The same pass wrote the first weight and looked once: 50 ms, 100 ms, 200 ms, in sync, then the
    // bake, looking at green every poll interval (5 s) until its 60 s are over.
    const waits = [await nextRunIn(h)];
    for (let pass = 0; pass < 3; pass++) {
      const outcome = await h.controller.engine.pass('p-1');
      waits.push(outcome.requeueAfterMs ?? -1);
      h.clock.advance(outcome.requeueAfterMs ?? 0);
    }
    expect(waits).toEqual([50, 100, 200, 5_000]);
    const baking = await h.get('p-1');
    expect(baking.stages['shift-traffic'].saved).toMatchObject({ step: 0, part: 'bake' });
    expect(baking.stages['shift-traffic'].saved).not.toHaveProperty('looks');
  });
});

/** The wait the last pass stored: from when it saved the promotion to its next run. */
async function nextRunIn(h: EngineHarness): Promise<number> {
  const promotion = await h.get('p-1');
  return Date.parse(promotion.nextRunAt ?? '') - Date.parse(promotion.updatedAt);
}
