import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, ProviderError } from '../../../src/domain/errors.js';
import { greenPercent } from '../../../src/domain/weights.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPlan, testPromotion } from '../../fakes/promotions.js';

describe('approval gates', () => {
  it('stops before a step marked approval: required, and moves on only when that gate is approved', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1', testPlan({ approvalAt: [50] })));
    const waiting = await h.drive('p-1');
    expect(waiting.phase).toBe('waiting-approval');
    expect(waiting.gates).toEqual([
      expect.objectContaining({ id: 'shift-traffic/3-to-50', stage: 'shift-traffic' }),
    ]);
    expect(h.cloud.greenPercent()).toBe(10);
    expect(h.cloud.calls('router.apply')).toEqual(['router.apply(1)', 'router.apply(10)']);

    await expect(
      h.controller.approve('p-1', 'decommission', { name: 'bob', mayDecommission: true }),
    ).rejects.toThrow(/name one of the open gates: shift-traffic\/3-to-50/);
    const approved = await h.controller.approve('p-1', undefined, { name: 'bob', mayDecommission: true });
    expect(approved.gates[0]).toMatchObject({ approvedBy: 'bob' });
    expect(approved.phase).toBe('running');
    const next = await h.drive('p-1');
    expect(next.currentStage).toBe('decommission');
    expect(h.cloud.greenPercent()).toBe(100);
  });

  it('refuses to approve a promotion that waits for nothing, and changes nothing', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('provision');
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { maxPasses: 2 });
    const before = await h.get('p-1');
    await expect(
      h.controller.approve('p-1', undefined, { name: 'bob', mayDecommission: true }),
    ).rejects.toThrow(InvalidTransitionError);
    await expect(
      h.controller.approve('p-1', undefined, { name: 'bob', mayDecommission: true }),
    ).rejects.toThrow(/not waiting for any approval/);
    expect(await h.get('p-1')).toEqual(before);
  });
});

describe('pause and resume', () => {
  it('a paused promotion takes no step; resume carries on where it stopped', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('provision');
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { maxPasses: 2 });
    await h.controller.pause('p-1', 'bob', 'change freeze');
    const calls = h.cloud.state.calls.length;
    h.cloud.behaviour.hold.delete('provision');
    const paused = await h.drive('p-1');
    expect(paused).toMatchObject({
      phase: 'paused',
      pauseReason: 'change freeze',
      currentStage: 'provision',
    });
    expect(h.cloud.state.calls.length).toBe(calls);
    await expect(h.controller.pause('p-1', 'bob', 'again')).rejects.toThrow(/already paused/);

    await h.controller.resume('p-1', 'bob');
    const resumed = await h.drive('p-1');
    expect(resumed.currentStage).toBe('decommission');
  });

  it('resume is refused when the promotion is not paused', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await expect(h.controller.resume('p-1', 'bob')).rejects.toThrow(/not paused \(running\)/);
  });
});

describe('manual weight override', () => {
  it('applies and verifies the weight at once, pauses automatic stepping, and resume continues above it', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    const callsBefore = h.cloud.state.calls.length;

    const requested = await h.controller.setWeight('p-1', greenPercent(30), 'erin');
    expect(requested).toMatchObject({
      phase: 'paused',
      traffic: { manual: true, manualChange: { green: 30 } },
    });
    const applied = await h.drive('p-1');
    expect(applied.phase).toBe('paused');
    expect(applied.traffic).toMatchObject({ green: 30, manual: true });
    expect(applied.traffic.manualChange).toBeUndefined();
    expect(applied.traffic.history.at(-1)).toMatchObject({ green: 30, reason: 'manual', by: 'erin' });
    expect(h.cloud.state.calls.slice(callsBefore)).toEqual([
      'router.read',
      'health.readyForTraffic(shop-green)',
      'router.apply(30)',
      'router.verify(30)',
      'router.verify(30)',
    ]);

    await h.controller.resume('p-1', 'erin');
    await h.drive('p-1');
    // Steps at or below 30% are not walked again: next comes 50, then 100.
    expect(h.cloud.calls('router.apply').slice(-3)).toEqual([
      'router.apply(30)',
      'router.apply(50)',
      'router.apply(100)',
    ]);
  });

  it('after a manual weight below the step that was baking, resume applies and bakes that step again', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.traffic.green === 50 });
    await h.controller.setWeight('p-1', greenPercent(20), 'erin');
    await h.drive('p-1');
    await h.controller.resume('p-1', 'erin');
    const waiting = await h.drive('p-1');
    expect(waiting.currentStage).toBe('decommission');
    // Never from 20 % straight to 100 %: 50 % is applied, verified and baked first.
    expect(waiting.traffic.history.map((c) => c.green)).toEqual([1, 10, 50, 20, 50, 100]);
    const verified = (await h.store.events('p-1'))
      .filter((e) => e.type === 'traffic.verified')
      .map((e) => Date.parse(e.at));
    expect((verified.at(-1) ?? 0) - (verified.at(-2) ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('refuses a manual weight that would send more traffic to a side that is not ready', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    h.cloud.behaviour.unready.add('shop-green');
    await h.controller.setWeight('p-1', greenPercent(60), 'erin');
    const refused = await h.drive('p-1');
    expect(refused.traffic.green).toBe(10);
    expect(refused.pauseReason).toMatch(/manual weight 60% refused: shop-green is not ready/);
    expect(h.cloud.calls('router.apply').at(-1)).toBe('router.apply(10)');
    expect((await h.store.events('p-1')).at(-1)?.type).toBe('traffic.manual-refused');
  });

  it('is refused before traffic shifting starts and after the promotion finished', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('services');
    await h.controller.startPromotion(testPromotion());
    await h.drive('p-1', { maxPasses: 5 });
    await expect(h.controller.setWeight('p-1', greenPercent(50), 'erin')).rejects.toThrow(
      /traffic shifting has not started \(current stage: services\)/,
    );
    h.cloud.behaviour.hold.delete('services');
    await h.controller.rollback('p-1', { by: 'erin', reason: 'done' });
    await h.drive('p-1');
    await expect(h.controller.setWeight('p-1', greenPercent(50), 'erin')).rejects.toThrow(
      /already finished \(rolled-back\)/,
    );
  });
});

describe('failures', () => {
  it('failed qualification with automatic rollback: rolls back without a person', async () => {
    const h = engineHarness();
    h.cloud.behaviour.foundationVerdict = 'fail';
    await h.controller.startPromotion(testPromotion());
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.stages['qualify-foundation']).toMatchObject({ state: 'failed' });
    expect(done.rollback).toMatchObject({
      requestedBy: 'switchyard',
      reason: expect.stringMatching(/^qualify-foundation failed: foundation failed qualification: coredns/),
    });
    expect(h.cloud.calls('router.apply')).toEqual([]);
  });

  it('failed qualification without automatic rollback: pauses for a person; resume tries the stage again', async () => {
    const h = engineHarness();
    h.cloud.behaviour.servicesVerdict = 'fail';
    await h.controller.startPromotion(testPromotion('p-1', testPlan({ rollback: { automatic: false } })));
    const paused = await h.drive('p-1');
    expect(paused).toMatchObject({ phase: 'paused', currentStage: 'qualify-services' });
    expect(paused.pauseReason).toMatch(/qualify-services failed: .*Resume to try again, or roll back/);
    expect(h.cloud.calls('router.apply')).toEqual([]);

    h.cloud.behaviour.servicesVerdict = 'pass';
    await h.controller.resume('p-1', 'bob');
    const next = await h.drive('p-1');
    expect(next.stages['qualify-services'].state).toBe('succeeded');
    expect(next.currentStage).toBe('decommission');
  });

  it('retries a retryable provider error with growing backoff, then carries on', async () => {
    const h = engineHarness();
    h.cloud.behaviour.failures.set('router.apply', {
      error: new ProviderError('Throttling: rate exceeded', true),
      times: 2,
    });
    await h.controller.startPromotion(testPromotion());
    const done = await h.drive('p-1');
    expect(done.currentStage).toBe('decommission');
    const retries = (await h.store.events('p-1')).filter((e) => e.type === 'stage.retry');
    expect(retries.map((e) => e.message)).toEqual([
      'shift-traffic: attempt 1 of 3 failed, retrying in 1 s: Throttling: rate exceeded',
      'shift-traffic: attempt 2 of 3 failed, retrying in 2 s: Throttling: rate exceeded',
    ]);
  });

  it('a non-retryable provider error fails the stage at once (and rolls back when automatic)', async () => {
    const h = engineHarness();
    h.cloud.behaviour.failures.set('clusters.ensureFoundation', {
      error: new ProviderError('AccessDenied', false),
      times: 1,
    });
    await h.controller.startPromotion(testPromotion());
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.stages.foundation).toMatchObject({ state: 'failed', attempts: 1, message: 'AccessDenied' });
  });

  it('a stage that runs past its timeout fails', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('provision');
    const plan = { ...testPlan({ rollback: { automatic: false } }), stageTimeoutsMs: { provision: 60_000 } };
    await h.controller.startPromotion(testPromotion('p-1', plan));
    const paused = await h.drive('p-1');
    expect(paused.phase).toBe('paused');
    expect(paused.stages.provision.message).toMatch(/^timed out after 60 s: shop-green CREATING/);
  });

  it('a notifier that fails never blocks the promotion', async () => {
    const h = engineHarness();
    let attempts = 0;
    (h.providers.notifier as { post: () => Promise<void> }).post = async () => {
      attempts++;
      throw new Error('webhook down');
    };
    await h.controller.startPromotion(testPromotion());
    expect((await h.drive('p-1')).currentStage).toBe('decommission');
    expect(attempts).toBeGreaterThan(10);
  });
});
