import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, ProviderError } from '../../../src/domain/errors.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPlan, testPromotion } from '../../fakes/promotions.js';

const keepGreen = testPlan({ rollback: { green: 'keep' } });

describe('the ways out: abandon and teardown', () => {
  it('abandon ends a promotion stuck waiting for a blue that is gone, records the router, touches nothing', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1'));
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    // Blue's workloads disappear: the rollback can never move traffic back, and waits for ever.
    h.cloud.behaviour.unready.add('shop-blue');
    await h.controller.rollback('p-1', { by: 'carol', reason: 'green is slow' });
    const stuck = await h.drive('p-1', { maxPasses: 20 });
    expect(stuck.phase).toBe('rolling-back');
    expect(stuck.rollback?.message).toMatch(/waiting for blue to be ready/);
    await expect(h.controller.startPromotion(testPromotion('p-2'))).rejects.toThrow(/active promotion: p-1/);

    const before = h.cloud.state.calls.length;
    const abandoned = await h.controller.abandon('p-1', 'admin-ann', 'blue was deleted by hand');
    expect(abandoned.phase).toBe('abandoned');
    expect(abandoned.finishedAt).toBeDefined();
    // Only a read: no weight write, no teardown.
    expect(h.cloud.state.calls.slice(before)).toEqual(['router.read']);
    const event = (await h.store.events('p-1')).at(-1);
    expect(event).toMatchObject({ type: 'promotion.abandoned', actor: 'admin-ann' });
    expect(event?.message).toMatch(
      /blue was deleted by hand\. Switchyard makes no further change in AWS for it; the router shows 10% to green/,
    );
    // The platform is free again, and the reconciler leaves the abandoned promotion alone.
    expect(await h.controller.engine.pass('p-1')).toEqual({});
    await h.controller.startPromotion(testPromotion('p-2'));
  });

  it('abandon says so when the router cannot be read, and is refused once finished', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('services');
    await h.controller.startPromotion(testPromotion('p-1'));
    await h.drive('p-1', { maxPasses: 30 });
    h.providers.router.read = async () => {
      throw new ProviderError('Route 53: AccessDenied', false);
    };
    const abandoned = await h.controller.abandon('p-1', 'ann', 'stuck');
    expect(abandoned.stages.services).toMatchObject({ state: 'interrupted' });
    expect((await h.store.events('p-1')).at(-1)?.message).toMatch(
      /could not be read \(Route 53: AccessDenied\)/,
    );
    await expect(h.controller.abandon('p-1', 'ann', 'again')).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('teardown deletes the green a rollback kept: after the drain delay, never before', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1', keepGreen));
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    await h.controller.rollback('p-1', { by: 'carol', reason: 'errors' });
    const rolledBack = await h.drive('p-1');
    expect(rolledBack.phase).toBe('rolled-back');
    expect(h.cloud.state.clusters['shop-green']).toBeDefined();

    let teardownAt = 0;
    h.cloud.behaviour.afterCall = (call) => {
      if (call === 'clusters.teardown(shop-green)') teardownAt ||= h.clock.now().getTime();
    };
    const requestedAt = h.clock.now().getTime();
    const reopened = await h.controller.teardownGreen('p-1', 'ann');
    expect(reopened).toMatchObject({ phase: 'rolling-back', rollback: { step: 'drain', green: 'teardown' } });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.rollback?.message).toMatch(/green cluster shop-green deleted/);
    expect(h.cloud.state.deleted).toEqual(['shop-green']);
    expect(teardownAt).toBeGreaterThanOrEqual(requestedAt + keepGreen.rollback.drainDelayMs);
    // Traffic was already on blue: no weight was written for the teardown.
    expect(h.cloud.calls('router.apply').at(-1)).toBe('router.apply(0)');
    expect(h.cloud.state.weightWrites).toBe(3);
  });

  it('teardown of an abandoned promotion moves its traffic back to blue first and stays abandoned', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1', keepGreen));
    await h.drive('p-1', { until: (p) => p.traffic.green === 10 });
    await h.controller.abandon('p-1', 'ann', 'operator error');
    expect(h.cloud.greenPercent()).toBe(10);
    await h.controller.teardownGreen('p-1', 'ann');
    const done = await h.drive('p-1');
    expect(done.phase).toBe('abandoned');
    expect(h.cloud.greenPercent()).toBe(0);
    const order = h.cloud.state.calls.filter((c) =>
      /apply\(0\)|teardown|readyForTraffic\(shop-blue\)/.test(c),
    );
    expect(order).toEqual([
      'health.readyForTraffic(shop-blue)',
      'router.apply(0)',
      'clusters.teardown(shop-green)',
    ]);
  });

  it('teardown is refused for a promotion still running and for one whose green went live', async () => {
    const h = engineHarness();
    h.cloud.behaviour.hold.add('services');
    await h.controller.startPromotion(testPromotion('p-1'));
    await h.drive('p-1', { maxPasses: 30 });
    await expect(h.controller.teardownGreen('p-1', 'ann')).rejects.toThrow(/still running; roll it back/);
    h.cloud.behaviour.hold.delete('services');
    await h.drive('p-1');
    await h.controller.approve('p-1', 'decommission', { name: 'bob', mayDecommission: true });
    expect((await h.drive('p-1')).phase).toBe('succeeded');
    await expect(h.controller.teardownGreen('p-1', 'ann')).rejects.toThrow(/is the live cluster now/);
  });

  it('a rollback whose teardown meets a cluster it does not own reports it once and finishes', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1'));
    await h.drive('p-1', { until: (p) => p.currentStage === 'services' });
    const refusal = new ProviderError('EKS cluster shop-green belongs to promotion p-0, not to p-1', false);
    h.cloud.behaviour.failures.set('clusters.teardown', { error: refusal, times: 100 });
    await h.controller.rollback('p-1', { by: 'carol', reason: 'test' });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.rollback?.warning).toMatch(
      /shop-green was not deleted: EKS cluster shop-green belongs to promotion p-0/,
    );
    expect(h.cloud.calls('clusters.teardown')).toHaveLength(1);
    const types = (await h.store.events('p-1')).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['rollback.warning', 'rollback.finished']);
  });

  it('a transient teardown failure is still retried', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1'));
    await h.drive('p-1', { until: (p) => p.currentStage === 'services' });
    h.cloud.behaviour.failures.set('clusters.teardown', {
      error: new ProviderError('Throttling', true),
      times: 2,
    });
    await h.controller.rollback('p-1', { by: 'carol', reason: 'test' });
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.rollback?.warning).toBeUndefined();
    expect(h.cloud.calls('clusters.teardown')).toHaveLength(3);
    expect(h.cloud.state.deleted).toEqual(['shop-green']);
  });

  it('a stage is stored as started before its first action, so "pending" proves nothing was written', async () => {
    const h = engineHarness();
    const storedAtWrite: string[] = [];
    h.cloud.behaviour.afterCall = (call) => {
      // The memory store reads its map synchronously: this is the record as stored at the moment of the write.
      if (call === 'router.apply(1)') {
        void h.store.get('p-1').then((p) => storedAtWrite.push(p?.stages['shift-traffic'].state ?? ''));
      }
    };
    h.cloud.behaviour.hold.add('qualify-services');
    await h.controller.startPromotion(testPromotion('p-1'));
    await h.drive('p-1', { maxPasses: 30 });
    expect((await h.get('p-1')).stages['shift-traffic'].state).toBe('pending');
    h.cloud.behaviour.hold.delete('qualify-services');
    await h.drive('p-1', { until: (p) => p.traffic.green === 1 });
    expect(storedAtWrite).toEqual(['running']);
  });
});
