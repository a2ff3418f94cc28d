import type { NewEvent, Promotion } from '../domain/promotion.js';
import type { Metrics } from '../metrics.js';
import type { PromotionStore } from '../store/store.js';

/**
 * The store, counting what its event log records: every stage that ends and every rollback requested
 * passes through here, whichever part of the controller wrote it, so no code path can skip a metric.
 */
export function meteredStore(
  store: PromotionStore,
  metrics: Metrics,
  now: () => Date = () => new Date(),
): PromotionStore {
  const observe = (promotion: Promotion, events: readonly NewEvent[]) => {
    for (const event of events) {
      if (event.type === 'stage.succeeded' || event.type === 'stage.failed') {
        const stage = event.data?.stage as keyof Promotion['stages'] | undefined;
        const startedAt = stage ? promotion.stages[stage]?.startedAt : undefined;
        if (stage && startedAt) {
          const seconds = (now().getTime() - Date.parse(startedAt)) / 1000;
          metrics.stageDuration.observe(
            { stage, outcome: event.type === 'stage.succeeded' ? 'succeeded' : 'failed' },
            seconds,
          );
        }
      }
      if (event.type === 'rollback.requested') {
        metrics.rollbacks.inc({ reason: event.actor === 'switchyard' ? 'automatic' : 'requested' });
      }
    }
    metrics.greenWeight.set({ platform: promotion.platform }, promotion.traffic.green);
  };
  return {
    ...store,
    async create(promotion, events) {
      const stored = await store.create(promotion, events);
      observe(stored, events);
      return stored;
    },
    async update(next, events) {
      const stored = await store.update(next, events);
      observe(stored, events);
      return stored;
    },
  };
}
