/**
 * kill -9 of the controller during each stage, then a restart on the same store: the promotion is not
 * lost, carries on to the decommission gate, and nothing was created twice in moto.
 */
import { expect, it } from 'vitest';
import { addUnschedulablePod, stallRollout } from '../env/world-faults.js';
import { describeWithServers } from '../integration/environment.js';
import { shopState } from './moto-state.js';
import { type Json, useE2E } from './support.js';

describeWithServers('kill -9 of the controller during each stage', () => {
  const e2e = useE2E({ faults: { latencyShare: 1, latencyMs: 800, services: ['eks'] } });
  /**
   * Holds a qualification stage "not yet" so the kill lands inside it: a kube-system pod waiting for
   * capacity (inconclusive within its grace), or a services rollout that cannot finish (blue's web
   * template carries an image that cannot be pulled, so the copy on green never becomes available).
   */
  async function hold(what: 'kube-system' | 'services'): Promise<() => Promise<void>> {
    const { kube, names } = e2e.world;
    if (what === 'kube-system') return addUnschedulablePod(kube.green, 'kube-system');
    const namespace = names.namespaces.shop;
    await stallRollout(kube.blue, namespace, 'web');
    return async () => {
      await stallRollout(kube.blue, namespace, 'web', null);
      await stallRollout(kube.green, namespace, 'web', null);
    };
  }

  const points: [string, (p: Json) => boolean, ('kube-system' | 'services')?][] = [
    ['provision', (p) => p.currentStage === 'provision'],
    ['foundation', (p) => p.currentStage === 'foundation'],
    [
      'qualify-foundation',
      (p) => p.currentStage === 'qualify-foundation' && p.stages['qualify-foundation'].state === 'running',
      'kube-system',
    ],
    [
      'qualify-services',
      (p) => p.currentStage === 'qualify-services' && p.stages['qualify-services'].state === 'running',
      'services',
    ],
    ['shift-traffic', (p) => p.currentStage === 'shift-traffic' && p.traffic.green === 10],
  ];

  it.each(points)(
    'during %s: restart, the promotion completes with no duplicate resource',
    async (stage, reached, stall) => {
      const release = stall === undefined ? undefined : await hold(stall);
      const created = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      await e2e.waitFor(id, reached);

      await e2e.controller.stop(0); // SIGKILL at once: no grace period
      await release?.();
      await e2e.restart();

      const waiting = await e2e.waitFor(
        id,
        (p) => p.phase === 'waiting-approval' || p.phase === 'rolled-back',
        120_000,
      );
      expect(waiting.phase, `after a kill during ${stage}: ${JSON.stringify(waiting.rollback)}`).toBe(
        'waiting-approval',
      );
      const state = await shopState(e2e.world.aws.hostedZoneId);
      expect(state.clusters.filter((c) => c === 'shop-green')).toHaveLength(1);
      expect(state.nodegroups).toEqual(['general']);
      expect(state.records).toBe(2);
      expect(state.weights).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
      expect(waiting.traffic.history.map((h: Json) => h.green)).toEqual([1, 10, 50, 100]);
      const list = await e2e.api('GET', '/v1/promotions?platform=shop');
      expect(list.body.items.filter((p: Json) => p.id === id)).toHaveLength(1);

      // Hand the platform back for the next kill point: roll back, green is deleted after the drain delay.
      await e2e.api('POST', `/v1/promotions/${id}/rollback`, {
        reason: 'next kill point',
        green: 'teardown',
      });
      await e2e.waitFor(id, (p) => p.phase === 'rolled-back', 120_000);
    },
  );
});
