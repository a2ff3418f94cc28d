import type { Logger } from 'pino';
import type { Notification, Notifier, PostOptions } from '../../domain/ports.js';
import { errorMessage } from '../../domain/retryable.js';

export type NotifyOutcome = 'sent' | 'failed' | 'dropped';

export interface QueueOptions {
  /** The target's name in logs and metrics. */
  readonly name: string;
  readonly log: Logger;
  /** Notifications waiting at most; when full, the oldest is dropped. Default 100. */
  readonly capacity?: number;
  readonly count?: (outcome: NotifyOutcome) => void;
}

/** A notifier whose `post` only enqueues: it returns at once and never rejects. */
export interface QueuedNotifier extends Notifier {
  /** Resolves once everything queued so far has been delivered or has failed. */
  idle(): Promise<void>;
}

interface Item {
  readonly notification: Notification;
  readonly options: PostOptions | undefined;
}

/**
 * Delivers in the background, one at a time and in the order posted, so a slow or dead receiver never
 * delays a reconcile pass and events for one promotion arrive in order. Every outcome is counted;
 * failures and drops are logged and reported through the post's `onFailed`.
 */
export function queued(target: Notifier, options: QueueOptions): QueuedNotifier {
  const capacity = options.capacity ?? 100;
  const items: Item[] = [];
  let draining: Promise<void> | undefined;

  const fail = (item: Item, outcome: 'failed' | 'dropped', reason: string) => {
    options.count?.(outcome);
    const { notification } = item;
    const about =
      notification.kind === 'fleet'
        ? { runId: notification.runId }
        : { promotionId: notification.promotionId };
    options.log.warn(
      { notifier: options.name, ...about, event: notification.type, outcome },
      `notification to ${options.name} ${outcome}: ${reason}`,
    );
    try {
      item.options?.onFailed?.(`${options.name}: ${reason}`);
    } catch (error) {
      options.log.warn({ notifier: options.name }, `onFailed threw: ${errorMessage(error)}`);
    }
  };

  const drain = async () => {
    for (let item = items.shift(); item !== undefined; item = items.shift()) {
      try {
        await target.post(item.notification, item.options);
        options.count?.('sent');
      } catch (error) {
        fail(item, 'failed', errorMessage(error));
      }
    }
    draining = undefined;
  };

  return {
    post(notification, postOptions) {
      if (items.length >= capacity) {
        const oldest = items.shift();
        if (oldest) fail(oldest, 'dropped', `queue full (${capacity} waiting)`);
      }
      items.push({ notification, options: postOptions });
      draining ??= drain();
      return Promise.resolve();
    },
    async idle() {
      while (draining !== undefined) await draining;
    },
  };
}
