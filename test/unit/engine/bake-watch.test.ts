import { describe, expect, it } from 'vitest';
import { engineHarness } from '../../fakes/harness.js';
import { testPlan, testPromotion } from '../../fakes/promotions.js';

describe('green watched while a step bakes', () => {
  it('looks at green at least every poll interval during a bake, not only before each weight change', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.traffic.green === 100 });
    const calls = h.cloud.state.calls;
    const writes = ['router.apply(1)', 'router.apply(10)'].map((c) => calls.indexOf(c));
    const during = calls.slice(writes[0], writes[1]).filter((c) => c === 'health.servingHealth(shop-green)');
    // A 60 s bake with a 5 s poll interval: a look on every pass, about twelve of them.
    expect(during.length).toBeGreaterThanOrEqual(60_000 / 5_000);
  });

  it('rolls back by itself when green degrades mid-bake and stays degraded on the next look', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.traffic.green === 50 });
    h.cloud.behaviour.degraded.add('shop-green');
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.traffic.green).toBe(0);
    expect(done.stages['shift-traffic'].message).toMatch(
      /green degraded while baking at 50% \(2 looks in a row\): shop-green: web container CrashLoopBackOff/,
    );
    expect(h.cloud.calls('router.apply')).toEqual([
      'router.apply(1)',
      'router.apply(10)',
      'router.apply(50)',
      'router.apply(0)',
    ]);
    const looks = h.cloud.state.calls.filter((c) => c === 'health.servingHealth(shop-green)');
    expect(looks.length).toBeGreaterThan(2);
  });

  it('forgives one degraded look: a pod being replaced is not a failed step', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    h.cloud.behaviour.degraded.add('shop-green');
    await h.drive('p-1', {
      until: () => h.cloud.state.calls.at(-1) === 'health.servingHealth(shop-green)',
    });
    h.cloud.behaviour.degraded.delete('shop-green');
    const waiting = await h.drive('p-1');
    expect(waiting.currentStage).toBe('decommission');
    expect(waiting.traffic.green).toBe(100);
  });

  it('pauses with the reason instead when the rollback policy is not automatic', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1', testPlan({ rollback: { automatic: false } })));
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    h.cloud.behaviour.degraded.add('shop-green');
    const paused = await h.drive('p-1');
    expect(paused.phase).toBe('paused');
    expect(paused.pauseReason).toMatch(/green degraded while baking at 10%/);
    expect(paused.traffic.green).toBe(10);
  });
});
