import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformCatalog } from '../../../src/api/catalog.js';
import type { Notification, Notifier } from '../../../src/domain/ports.js';
import { newPromotion, type Promotion } from '../../../src/domain/promotion.js';
import type { Controller } from '../../../src/engine/controller.js';
import { createMetrics } from '../../../src/metrics.js';
import { type FleetLayer, fleetLayer } from '../../../src/server/fleets.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { testPromotion } from '../../fakes/promotions.js';
import { strategy as fleetStrategy, stage } from '../fleet/fleet-fixtures.js';

const waves = fleetStrategy([stage('dev', { maxConcurrency: 2 }), stage('prod')], {
  name: 'waves',
  memberStartDeadlineMs: 60_000,
});

const fleet = [
  { name: 'a', labels: { env: 'dev' } },
  { name: 'b', labels: { env: 'dev' } },
  { name: 'c', labels: { env: 'prod' } },
];

let layer: FleetLayer | undefined;
afterEach(async () => {
  await layer?.duty.stop();
  layer = undefined;
});

/**
 * The fleet layer as serve builds it, on a memory store, with a controller that only stores the
 * promotions it is asked to start, and a recording notifier per platform (platform "c" has none).
 */
function fixture() {
  const store = createMemoryStore();
  const metrics = createMetrics();
  const told: { to: string; notification: Notification }[] = [];
  const recording = (to: string): Notifier => ({
    async post(notification) {
      told.push({ to, notification });
    },
  });
  const controller = {
    async startPromotion(input: Parameters<typeof newPromotion>[0]) {
      return store.create(newPromotion(input, new Date()), []);
    },
    async rollback(id: string) {
      return (await store.get(id)) as Promotion;
    },
  } as unknown as Controller;
  const catalog = {
    async newPromotion({ id, platform, targetVersion, createdBy }) {
      return { ...testPromotion(id ?? 'unnamed'), platform, toVersion: targetVersion, createdBy };
    },
  } as Pick<PlatformCatalog, 'newPromotion'> as PlatformCatalog;
  layer = fleetLayer({
    store,
    controller,
    catalog,
    strategies: new Map([[waves.name, waves]]),
    platforms: () => fleet,
    log: pino({ level: 'silent' }),
    metrics,
    pollMs: 20,
    notifierFor: (platform) => (platform === 'c' ? undefined : recording(platform)),
  });
  const started = layer;
  return {
    layer: started,
    metrics,
    told: () => told.map(({ to, notification }) => `${notification.type} → ${to}`),
    notifications: () => told.map(({ notification }) => notification),
    /** A member's promotion reaches the decommission gate, and the layer hears of it as from the engine. */
    async toGate(id: string) {
      const promotion = (await store.get(id)) as Promotion;
      const moved = await store.update(
        { ...promotion, phase: 'waiting-approval', currentStage: 'decommission' },
        [],
      );
      started.promotionChanged(moved);
    },
    hasPromotion: async (id: string) => (await store.get(id)) !== undefined,
  };
}

describe('fleet layer notifications', () => {
  it('tells each platform’s notifier of its stages and of the run’s end, through observe', async () => {
    const f = fixture();
    await f.layer.duty.start();
    const run = await f.layer.surface.start({ strategy: 'waves', targetVersion: '1.36' }, 'alice');

    await expect.poll(f.told).toEqual(['fleet.stage.started → a', 'fleet.stage.started → b']);
    await expect.poll(() => f.hasPromotion(`b-${run.id}`)).toBe(true);
    await f.toGate(`a-${run.id}`);
    await f.toGate(`b-${run.id}`);
    // c has no notifier: prod's start is told to no one, and nothing fails for it.
    await expect.poll(() => f.hasPromotion(`c-${run.id}`)).toBe(true);
    await f.toGate(`c-${run.id}`);
    await expect.poll(async () => (await f.layer.surface.get(run.id))?.state).toBe('succeeded');

    expect(f.told()).toEqual([
      'fleet.stage.started → a',
      'fleet.stage.started → b',
      'fleet.stage.finished → a',
      'fleet.stage.finished → b',
      'fleet.finished → a',
      'fleet.finished → b',
    ]);
    const ids = f.notifications().map((n) => n.eventId);
    // One event told to two platforms keeps its id (their sources differ); two events never share one.
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    expect(f.notifications().at(-1)).toMatchObject({ kind: 'fleet', runId: run.id, runState: 'succeeded' });

    // The gauges: the finished run counted by its state, no member of an unfinished run left.
    const runs = (await f.metrics.fleetRuns.get()).values.map((v) => [v.labels.state, v.value]);
    expect(runs).toEqual([['succeeded', 1]]);
    expect((await f.metrics.fleetMembers.get()).values).toEqual([]);
  });
});
