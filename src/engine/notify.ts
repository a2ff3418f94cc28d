import type { Logger } from 'pino';
import type { Notification, PlatformProviders } from '../domain/ports.js';
import type { NewEvent, Promotion } from '../domain/promotion.js';
import { errorMessage } from '../domain/retryable.js';
import type { StageName } from '../domain/stages.js';
import type { PromotionStore } from '../store/store.js';

interface NotifyDependencies {
  readonly store: PromotionStore;
  readonly providersFor: (promotion: Promotion) => PlatformProviders;
  readonly log: Logger;
}

/**
 * Hands stored events to the platform's notifier, in order and without waiting for delivery. Never
 * throws: a failure is logged and recorded as a `notify.failed` event, appended directly (not notified).
 */
export function notifyEvents(
  deps: NotifyDependencies,
  promotion: Promotion,
  events: readonly NewEvent[],
): void {
  const notifier = deps.providersFor(promotion).notifier;
  events.forEach((event, index) => {
    const onFailed = (reason: string) => {
      const message = `notification of ${event.type} failed: ${reason}`;
      deps.store
        .appendEvents(promotion.id, [{ type: 'notify.failed', actor: 'switchyard', message }])
        .catch((error: unknown) =>
          deps.log.warn({ promotionId: promotion.id, err: error }, 'cannot record notify.failed'),
        );
    };
    const rejected = (error: unknown) => {
      deps.log.warn({ promotionId: promotion.id }, `notifier failed: ${errorMessage(error)}`);
      onFailed(errorMessage(error));
    };
    try {
      notifier.post(toNotification(promotion, event, index), { onFailed }).catch(rejected);
    } catch (error) {
      rejected(error);
    }
  });
}

function toNotification(promotion: Promotion, event: NewEvent, index: number): Notification {
  const stage = event.data?.stage;
  return {
    kind: 'promotion',
    promotionId: promotion.id,
    eventId: `${promotion.id}-${promotion.version}.${index}`,
    at: promotion.updatedAt,
    platform: promotion.platform,
    type: event.type,
    message: event.message,
    actor: event.actor,
    stage: typeof stage === 'string' ? (stage as StageName) : promotion.currentStage,
    phase: promotion.phase,
    green: promotion.traffic.green,
    blue: 100 - promotion.traffic.green,
    fromVersion: promotion.fromVersion,
    toVersion: promotion.toVersion,
  };
}
