import type { Logger } from 'pino';
import type { Notifier } from '../../domain/ports.js';
import type { NotificationConfig } from './config.js';
import { fanOut, onlyNotified } from './fan-out.js';
import type { Fetch } from './http.js';
import { type NotifyOutcome, type QueuedNotifier, queued } from './queue.js';
import { type RetryOptions, withRetry } from './retry.js';
import { slackNotifier } from './slack.js';
import { webhookNotifier } from './webhook.js';

export interface NotifierDeps {
  readonly log: Logger;
  /** e.g. switchyard_notifications_total{notifier, outcome}. */
  readonly count?: (notifier: string, outcome: NotifyOutcome) => void;
  readonly fetch?: Fetch;
  readonly retry?: RetryOptions;
  /** Per target; default 100. */
  readonly queueCapacity?: number;
  readonly timeoutMs?: number;
}

/**
 * One notifier for a platform's notification targets: the notified events only, fanned out to one
 * queue per target (so a slow target delays no other), each delivering with retries.
 */
export function notifierFromConfig(
  targets: readonly NotificationConfig[],
  deps: NotifierDeps,
): Notifier & Pick<QueuedNotifier, 'idle'> {
  const names = targetNames(targets);
  const queues = targets.map((target, i) => {
    const name = names[i] ?? target.kind;
    const retry = {
      ...deps.retry,
      onRetry: (attempt: number, _error: unknown, delayMs: number) =>
        deps.log.debug({ notifier: name, attempt, delayMs }, `notification to ${name} retrying`),
    };
    return queued(withRetry(targetNotifier(target, i, deps), retry), {
      name,
      log: deps.log,
      ...(deps.queueCapacity === undefined ? {} : { capacity: deps.queueCapacity }),
      ...(deps.count && { count: (outcome: NotifyOutcome) => deps.count?.(name, outcome) }),
    });
  });
  const notifier = onlyNotified(fanOut(queues));
  return {
    post: (notification, options) => notifier.post(notification, options),
    idle: async () => {
      await Promise.all(queues.map((queue) => queue.idle()));
    },
  };
}

function targetNotifier(target: NotificationConfig, index: number, deps: NotifierDeps): Notifier {
  if (target.webhookUrl === undefined) {
    throw new Error(
      `notifications[${index}]: webhookUrlFromEnv ${target.webhookUrlFromEnv} was not resolved; ` +
        'load the config with loadConfig and its environment',
    );
  }
  const common = {
    promotionUrl: target.promotionUrl,
    fleetRunUrl: target.fleetRunUrl,
    fetch: deps.fetch,
    timeoutMs: deps.timeoutMs,
  };
  if (target.kind === 'slack') return slackNotifier({ webhookUrl: target.webhookUrl, ...common });
  if (target.headersFromEnv !== undefined) {
    throw new Error(`notifications[${index}]: headersFromEnv was not resolved`);
  }
  return webhookNotifier({ url: target.webhookUrl, headers: target.headers, ...common });
}

/** The configured name, or the kind; a second target of one kind becomes "slack-2", and so on. */
function targetNames(targets: readonly NotificationConfig[]): string[] {
  const seen = new Map<string, number>();
  return targets.map((target) => {
    const base = target.name ?? target.kind;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}
