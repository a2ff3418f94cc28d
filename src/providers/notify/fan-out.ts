import type { Notifier } from '../../domain/ports.js';
import { errorMessage } from '../../domain/retryable.js';

/** Posts to every notifier; one failing does not stop the others. Rejects with all the failures. */
export function fanOut(notifiers: readonly Notifier[]): Notifier {
  return {
    async post(notification, options) {
      const results = await Promise.allSettled(
        notifiers.map(async (notifier) => notifier.post(notification, options)),
      );
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
      if (failures.length > 0) throw new Error(failures.join('; '));
    },
  };
}

/**
 * The events people are told about: stage transitions, verified traffic steps, open gates, rollbacks,
 * and the promotion's start, end, pause and resume; a fleet run's stage transitions, failed members and
 * end. (notify.failed never is: no loops.)
 */
const notifiedTypes = new Set([
  'stage.started',
  'stage.succeeded',
  'stage.failed',
  'stage.retry',
  'traffic.verified',
  'gate.opened',
  'promotion.created',
  'promotion.succeeded',
  'promotion.paused',
  'promotion.resumed',
  // Fleet runs (src/fleet/fleet-notify.ts): stage transitions, a member's failure, the run's end.
  'fleet.stage.started',
  'fleet.stage.awaiting-approval',
  'fleet.stage.finished',
  'fleet.member.failed',
  'fleet.finished',
]);

export function isNotified(type: string): boolean {
  return notifiedTypes.has(type) || type.startsWith('rollback.');
}

/** Passes on only the notifications `isNotified` accepts. */
export function onlyNotified(notifier: Notifier): Notifier {
  return {
    async post(notification, options) {
      if (isNotified(notification.type)) await notifier.post(notification, options);
    },
  };
}
