import { describe, expect, it } from 'vitest';
import type { Promotion } from '../../../src/domain/promotion.js';
import type { ShiftProgress } from '../../../stages/shift-traffic.js';
import { analysedPlan, errorRate, promql } from '../../fakes/analysis.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPromotion } from '../../fakes/promotions.js';

const green = 'metrics.query(prometheus error_rate{cluster="shop-green"})';
const blue = 'metrics.query(prometheus error_rate{cluster="shop-blue"})';
const progress = (p: Promotion) => p.stages['shift-traffic'].saved as ShiftProgress;

/** A harness whose green reads `greenValue(percent on green)`, and blue 0.01. */
function harness(greenValue: (percent: number) => number | 'no data' | Error) {
  const h = engineHarness();
  h.cloud.behaviour.metric = (_query, description) => {
    const value = description.includes('shop-blue') ? 0.01 : greenValue(h.cloud.greenPercent());
    if (value instanceof Error) throw value;
    return value === 'no data' ? { noData: true, detail: 'empty vector' } : { value };
  };
  return h;
}

describe('canary analysis during the traffic shift', () => {
  it('measures each step once per interval during its bake, and moves on only after all passed', async () => {
    const h = harness(() => 0.001);
    await h.controller.startPromotion(testPromotion('p-1', analysedPlan([errorRate()])));
    const waiting = await h.drive('p-1');

    expect(waiting.currentStage).toBe('decommission');
    expect(waiting.traffic.history.map((c) => c.green)).toEqual([1, 10, 50, 100]);
    expect(h.cloud.calls('metrics.')).toEqual(Array(12).fill(green));
    // Each step: verified → three measurements (green watched between them) → green ready → read →
    // the next write.
    const calls = h.cloud.state.calls.filter((c) => c !== 'health.servingHealth(shop-green)');
    const verified = calls.lastIndexOf('router.verify(10)');
    expect(calls.slice(verified + 1, verified + 7)).toEqual([
      green,
      green,
      green,
      'router.read',
      'health.readyForTraffic(shop-green)',
      'router.apply(50)',
    ]);
    const saved = progress(waiting);
    expect(saved.analyzed?.map((s) => [s.green, s.outcome, s.analyses[0]?.pass])).toEqual([
      [1, 'passed', 3],
      [10, 'passed', 3],
      [50, 'passed', 3],
      [100, 'passed', 3],
    ]);
    // One measurement per interval (60 s), the first one interval after the weights were verified.
    const measuredAt = (saved.analysis?.runs[0]?.measurements ?? []).map((m) => Date.parse(m.at));
    const verifiedAt = Date.parse(waiting.traffic.history.at(-1)?.at ?? '');
    expect(measuredAt.map((t) => t - verifiedAt)).toEqual([60_000, 120_000, 180_000]);
  });

  it('failures beyond the limit fail the step: automatic rollback checks blue, moves weights, verifies', async () => {
    const h = harness((percent) => (percent >= 10 ? 0.05 : 0.001));
    await h.controller.startPromotion(testPromotion('p-1', analysedPlan([errorRate({ failureLimit: 1 })])));
    const done = await h.drive('p-1');

    expect(done.phase).toBe('rolled-back');
    expect(done.stages['shift-traffic']).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(
        /^analysis failed at 10% to green: error-rate: 0 passed, 2 failed \(limit 1\)/,
      ),
    });
    expect(done.rollback?.reason).toMatch(/green 0\.05 is above the maximum 0\.01/);
    const calls = h.cloud.state.calls;
    const failing = calls.lastIndexOf(green);
    expect(calls.slice(failing + 1)).toEqual([
      'router.read',
      'health.readyForTraffic(shop-blue)',
      'router.apply(0)',
      'router.verify(0)',
      'router.verify(0)',
      'clusters.teardown(shop-green)',
    ]);
    expect(h.cloud.calls('metrics.')).toHaveLength(5); // 3 at 1%, then 2 failures at 10%
    expect(h.cloud.calls('router.apply')).toEqual(['router.apply(1)', 'router.apply(10)', 'router.apply(0)']);
    // The measurements before the failing one stay with the promotion.
    expect(progress(done).analysis?.runs[0]?.measurements.map((m) => m.verdict)).toEqual(['fail']);
  });

  it('with rollback.automatic false, a failed analysis pauses with the evidence and moves no weight', async () => {
    const h = harness((percent) => (percent >= 10 ? 0.05 : 0.001));
    const plan = analysedPlan([errorRate()], { rollback: { automatic: false } });
    await h.controller.startPromotion(testPromotion('p-1', plan));
    const paused = await h.drive('p-1');

    expect(paused.phase).toBe('paused');
    expect(paused.pauseReason).toMatch(
      /^shift-traffic failed: analysis failed at 10% to green: .*green 0\.05 is above the maximum 0\.01.*Resume to try again, or roll back\.$/,
    );
    expect(h.cloud.greenPercent()).toBe(10);
    expect(h.cloud.calls('router.apply')).toEqual(['router.apply(1)', 'router.apply(10)']);
    expect(h.cloud.calls('health.readyForTraffic(shop-blue)')).toEqual([]);

    // Resuming measures again where the step stopped; a healthy green then finishes the shift.
    h.cloud.behaviour.metric = () => ({ value: 0.001 });
    await h.controller.resume('p-1', 'bob');
    const resumed = await h.drive('p-1');
    expect(resumed.currentStage).toBe('decommission');
    expect(h.cloud.greenPercent()).toBe(100);
  });

  it('no data is inconclusive: beyond the limit it waits for a person at a gate, and never rolls back', async () => {
    const h = harness((percent) => (percent >= 10 ? 'no data' : 0.001));
    await h.controller.startPromotion(
      testPromotion('p-1', analysedPlan([errorRate({ inconclusiveLimit: 1 })])),
    );
    const waiting = await h.drive('p-1');

    expect(waiting.phase).toBe('waiting-approval');
    expect(waiting.rollback).toBeUndefined();
    expect(waiting.gates).toEqual([
      expect.objectContaining({
        id: 'analysis/2-to-10',
        stage: 'shift-traffic',
        reason: expect.stringMatching(
          /^analysis inconclusive at 10% to green \(error-rate: .*2 inconclusive \(limit 1\).*green: no data \(empty vector\)\)\. Approve to accept this step without a verdict, or roll back\.$/,
        ),
      }),
    ]);
    expect(h.cloud.calls('router.apply')).toEqual(['router.apply(1)', 'router.apply(10)']);
    expect(progress(waiting).analysis).toMatchObject({
      gate: 'analysis/2-to-10',
      runs: [
        { verdict: 'inconclusive', measurements: [{ verdict: 'inconclusive' }, { verdict: 'inconclusive' }] },
      ],
    });

    // Approving accepts the step: nothing more is measured at 10%, the bake runs out, the shift goes on.
    const measuredBefore = h.cloud.calls('metrics.').length;
    const approvedAt = h.clock.now().getTime();
    await h.controller.approve('p-1', 'analysis/2-to-10', { name: 'bob', mayDecommission: true });
    h.cloud.behaviour.metric = () => ({ value: 0.001 });
    const next = await h.drive('p-1', { until: (p) => p.traffic.green === 50 });
    expect(h.cloud.calls('metrics.').length).toBe(measuredBefore);
    const moved = next.traffic.history.at(-1)?.at ?? '';
    expect(Date.parse(moved)).toBeGreaterThanOrEqual(approvedAt + 60_000); // the rest of the 180 s bake
    expect(progress(next).analyzed?.at(-1)).toMatchObject({
      green: 10,
      outcome: 'accepted',
      gate: 'analysis/2-to-10',
    });

    const done = await h.drive('p-1');
    expect(done.currentStage).toBe('decommission');
  });

  it('a provider that throws is inconclusive too, never a failure', async () => {
    const h = harness(() => new Error('connect ECONNREFUSED 10.0.0.9:9090'));
    await h.controller.startPromotion(testPromotion('p-1', analysedPlan([errorRate()])));
    const waiting = await h.drive('p-1');
    expect(waiting.phase).toBe('waiting-approval');
    expect(waiting.gates[0]?.id).toBe('analysis/1-to-1');
    expect(progress(waiting).analysis?.runs[0]?.measurements[0]?.message).toBe(
      'green: error: connect ECONNREFUSED 10.0.0.9:9090',
    );
    expect(h.cloud.calls('router.apply')).toEqual(['router.apply(1)']);
  });

  it('compares green with blue: within the allowed increase passes, above it fails and rolls back', async () => {
    const compared = errorRate({
      range: { max: 0.5 },
      compare: { against: 'blue', query: promql('shop-blue'), maxRelativeIncrease: 0.2, margin: 0 },
    });
    // Blue reads 0.01: green at 0.0115 is within 20%; at 50% green degrades to 0.013.
    const h = harness((percent) => (percent >= 50 ? 0.013 : 0.0115));
    await h.controller.startPromotion(testPromotion('p-1', analysedPlan([compared])));
    const done = await h.drive('p-1');

    expect(done.phase).toBe('rolled-back');
    expect(done.rollback?.reason).toMatch(/green 0\.013 is more than 20% above blue 0\.01 \(limit 0\.012\)/);
    expect(h.cloud.calls('router.apply')).toEqual([
      'router.apply(1)',
      'router.apply(10)',
      'router.apply(50)',
      'router.apply(0)',
    ]);
    // Every measurement reads green, then blue.
    expect(h.cloud.calls('metrics.').slice(0, 4)).toEqual([green, blue, green, blue]);
    expect(progress(done).analyzed?.[0]?.analyses[0]?.last).toMatchObject({ green: 0.0115, blue: 0.01 });
  });

  it('without analysis a step keeps its plain bake: no metric is read', async () => {
    const h = harness(() => 0.001);
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1');
    expect(h.cloud.calls('metrics.')).toEqual([]);
    expect(h.cloud.calls('router.apply')).toHaveLength(4);
  });
});
