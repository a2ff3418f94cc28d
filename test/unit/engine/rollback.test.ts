import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../../src/domain/errors.js';
import type { StageName } from '../../../src/domain/stages.js';
import { type EngineHarness, engineHarness } from '../../fakes/harness.js';
import { testPlan, testPromotion } from '../../fakes/promotions.js';

/** Drives a fresh promotion to the point named, then asks for a rollback there. */
async function rollbackAt(
  point: { stage: StageName; green?: number },
  plan = testPlan(),
): Promise<{ h: EngineHarness; callsBefore: number }> {
  const h = engineHarness();
  // Hold the stage "not done yet", so the rollback arrives in the middle of it.
  if (point.stage !== 'shift-traffic' && point.stage !== 'decommission')
    h.cloud.behaviour.hold.add(point.stage);
  await h.controller.startPromotion(testPromotion('p-1', plan));
  await h.drive('p-1', {
    until: (p) =>
      p.currentStage === point.stage && (point.green === undefined || p.traffic.green === point.green),
  });
  if (point.stage === 'decommission')
    await h.drive('p-1'); // up to the approval gate
  else if (point.stage !== 'shift-traffic') await h.drive('p-1', { maxPasses: 2 }); // a little way into the held stage
  expect((await h.get('p-1')).currentStage).toBe(point.stage);
  return { h, callsBefore: h.cloud.state.calls.length };
}

const stagesBeforeTraffic: StageName[] = [
  'provision',
  'foundation',
  'qualify-foundation',
  'services',
  'qualify-services',
];

describe('rollback requested during a stage', () => {
  it.each(stagesBeforeTraffic)(
    'during %s: the router already shows all traffic on blue, so nothing is written; green drains, then is torn down',
    async (stage) => {
      const { h, callsBefore } = await rollbackAt({ stage });
      let teardownAt: number | undefined;
      h.cloud.behaviour.afterCall = (call) => {
        if (call === 'clusters.teardown(shop-green)') teardownAt = h.clock.now().getTime();
      };
      const requested = await h.controller.rollback('p-1', { by: 'carol', reason: 'test' });
      const done = await h.drive('p-1');

      expect(done.phase).toBe('rolled-back');
      const after = h.cloud.state.calls.slice(callsBefore);
      // No weight was ever moved: the router is read and verified, never written, and blue's readiness
      // is not asked because nothing moves to it.
      expect(after).toEqual(['router.read', 'router.verify(0)', 'clusters.teardown(shop-green)']);
      expect(h.cloud.state.weightWrites).toBe(0);
      expect(done.stages[stage]).toMatchObject({
        state: 'interrupted',
        message: 'interrupted by rollback: test',
      });
      expect(teardownAt).toBeGreaterThanOrEqual(Date.parse(requested.updatedAt) + 300_000);
      expect(Date.parse(done.rollback?.drainDeadline ?? '')).toBeLessThanOrEqual(teardownAt ?? 0);
      expect(h.cloud.state.clusters['shop-blue']).toBeDefined();
    },
  );

  it.each([1, 10, 50, 100])(
    'during the traffic step at %i percent: blue ready → weights to blue → verify → drain → teardown',
    async (green) => {
      const { h, callsBefore } = await rollbackAt({ stage: 'shift-traffic', green });
      let teardownAt: number | undefined;
      h.cloud.behaviour.afterCall = (call) => {
        if (call === 'clusters.teardown(shop-green)') teardownAt = h.clock.now().getTime();
      };
      const requestedAt = h.clock.now().getTime();
      await h.controller.rollback('p-1', { by: 'carol', reason: 'latency' });
      const done = await h.drive('p-1');

      expect(done.phase).toBe('rolled-back');
      expect(h.cloud.greenPercent()).toBe(0);
      expect(h.cloud.state.calls.slice(callsBefore)).toEqual([
        'router.read',
        'health.readyForTraffic(shop-blue)',
        'router.apply(0)',
        'router.verify(0)', // pending
        'router.verify(0)', // in sync
        'clusters.teardown(shop-green)',
      ]);
      expect(teardownAt).toBeGreaterThanOrEqual(requestedAt + 300_000);
      expect(done.traffic.history.at(-1)).toMatchObject({ green: 0, reason: 'rollback', by: 'carol' });
    },
  );

  it('while decommission waits for approval: still allowed, blue takes all traffic back', async () => {
    const { h } = await rollbackAt({ stage: 'decommission' });
    expect((await h.get('p-1')).phase).toBe('waiting-approval');
    await h.controller.rollback('p-1', { by: 'carol', reason: 'second thoughts', green: 'keep' });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(h.cloud.greenPercent()).toBe(0);
    expect(h.cloud.state.deleted).toEqual([]);
    expect(done.rollback?.message).toMatch(/kept/);
  });

  it('is refused once blue is being decommissioned, and the refusal changes nothing', async () => {
    const { h } = await rollbackAt({ stage: 'decommission' });
    await h.controller.approve('p-1', 'decommission', { name: 'bob', mayDecommission: true });
    await h.drive('p-1');
    const finished = await h.get('p-1');
    const events = await h.store.events('p-1');
    await expect(h.controller.rollback('p-1', { by: 'carol', reason: 'too late' })).rejects.toThrow(
      /blue cluster shop-blue has been decommissioned/,
    );
    await expect(h.controller.rollback('p-1', { by: 'carol', reason: 'too late' })).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    expect(await h.get('p-1')).toEqual(finished);
    expect(await h.store.events('p-1')).toEqual(events);
  });

  it('acts in the same pass it is requested: one pass reads, checks blue, writes and starts verifying', async () => {
    const { h, callsBefore } = await rollbackAt({ stage: 'shift-traffic', green: 50 });
    await h.controller.rollback('p-1', { by: 'carol', reason: 'now' });
    await h.controller.engine.pass('p-1');
    expect(h.cloud.state.calls.slice(callsBefore, callsBefore + 4)).toEqual([
      'router.read',
      'health.readyForTraffic(shop-blue)',
      'router.apply(0)',
      'router.verify(0)',
    ]);
  });

  it('never moves traffic to blue while blue is not ready; waits and says why', async () => {
    const { h, callsBefore } = await rollbackAt({ stage: 'shift-traffic', green: 50 });
    h.cloud.behaviour.unready.add('shop-blue');
    await h.controller.rollback('p-1', { by: 'carol', reason: 'now' });
    const waiting = await h.drive('p-1', { maxPasses: 5 });
    expect(waiting.phase).toBe('rolling-back');
    expect(waiting.rollback?.message).toMatch(/waiting for blue to be ready/);
    expect(h.cloud.calls('router.apply').length).toBe(3); // 1, 10, 50 from the shift; none from the rollback
    expect(h.cloud.greenPercent()).toBe(50);

    h.cloud.behaviour.unready.delete('shop-blue');
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(h.cloud.state.calls.slice(callsBefore).filter((c) => c.startsWith('router.apply'))).toEqual([
      'router.apply(0)',
    ]);
  });

  it('stepped: walks back through the policy steps, each verified and held at least the TTL', async () => {
    const plan = testPlan({ rollback: { mode: 'stepped', green: 'keep', steps: [50, 10] } });
    const { h, callsBefore } = await rollbackAt({ stage: 'decommission' }, plan);
    const appliedAt: Record<string, number> = {};
    h.cloud.behaviour.afterCall = (call) => {
      if (call.startsWith('router.apply')) appliedAt[call] = h.clock.now().getTime();
    };
    await h.controller.rollback('p-1', { by: 'carol', reason: 'slowly' });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    const after = h.cloud.state.calls.slice(callsBefore);
    expect(after.filter((c) => c.startsWith('router.apply'))).toEqual([
      'router.apply(50)',
      'router.apply(10)',
      'router.apply(0)',
    ]);
    // Blue is checked before every step back.
    expect(after.filter((c) => c === 'health.readyForTraffic(shop-blue)')).toHaveLength(3);
    expect(
      (appliedAt['router.apply(10)'] ?? 0) - (appliedAt['router.apply(50)'] ?? 0),
    ).toBeGreaterThanOrEqual(60_000);
    expect((appliedAt['router.apply(0)'] ?? 0) - (appliedAt['router.apply(10)'] ?? 0)).toBeGreaterThanOrEqual(
      60_000,
    );
    expect(done.traffic.history.slice(-3).map((c) => c.green)).toEqual([50, 10, 0]);
  });

  it('a second rollback request while one runs is refused with the reason', async () => {
    const { h } = await rollbackAt({ stage: 'services' });
    await h.controller.rollback('p-1', { by: 'carol', reason: 'one' });
    await expect(h.controller.rollback('p-1', { by: 'dave', reason: 'two' })).rejects.toThrow(
      /already in progress/,
    );
  });
});

describe('a rollback reads the router before anything else', () => {
  it('before shift-traffic, finding weight on green after all, checks blue and moves it back', async () => {
    const { h, callsBefore } = await rollbackAt({ stage: 'services' });
    // Someone set 50/50 by hand while the promotion was still deploying services.
    h.cloud.state.weights = { blue: 50, green: 50 };
    await h.controller.rollback('p-1', { by: 'carol', reason: 'test' });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(h.cloud.greenPercent()).toBe(0);
    expect(h.cloud.state.calls.slice(callsBefore, callsBefore + 3)).toEqual([
      'router.read',
      'health.readyForTraffic(shop-blue)',
      'router.apply(0)',
    ]);
  });

  it('never adds traffic to green: a stepped path above what the router shows is skipped', async () => {
    const plan = testPlan({ rollback: { mode: 'stepped', green: 'keep', steps: [50, 10] } });
    const { h } = await rollbackAt({ stage: 'decommission' }, plan);
    // The router was moved to 5 % by hand, below both rollback steps.
    h.cloud.state.weights = { blue: 95, green: 5 };
    const applied: string[] = [];
    h.cloud.behaviour.afterCall = (call) => {
      if (call.startsWith('router.apply')) applied.push(call);
    };
    await h.controller.rollback('p-1', { by: 'carol', reason: 'slowly' });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(applied).toEqual(['router.apply(0)']);
    expect(h.cloud.greenPercent()).toBe(0);
  });
});
