import {
  blueTeardownStarted,
  type DecommissionProgress,
  decommissionGateId,
} from '../src/domain/promotion.js';
import type { Stage } from '../src/domain/stage.js';
import { lookAgain } from './look-again.js';

/**
 * Deletes blue, the point of no return: only with explicit approval, and only while the router shows
 * every request going to green.
 */
export const decommission: Stage = {
  name: 'decommission',
  async run(context) {
    const { promotion, providers, isApproved } = context;
    if (!blueTeardownStarted(promotion)) {
      if (!isApproved(decommissionGateId)) {
        return {
          phase: 'waiting-approval',
          gate: { id: decommissionGateId, reason: `approve deleting blue cluster ${promotion.blue.name}` },
          message: 'waiting for approval to decommission blue',
        };
      }
      const reading = await providers.router.read();
      if (reading.kind !== 'weighted' || reading.green !== 100) {
        return {
          phase: 'failed',
          retryable: false,
          message: `refusing to delete blue while it may still serve traffic (router: ${reading.detail})`,
        };
      }
      return {
        phase: 'running',
        requeueAfterMs: 0,
        message: `deleting blue cluster ${promotion.blue.name}`,
        saved: { tearingDown: true } satisfies DecommissionProgress,
      };
    }
    const gone = await providers.clusters.teardown({ promotionId: promotion.id, cluster: promotion.blue });
    if (!gone.ready) {
      return lookAgain(context, gone.message, { tearingDown: true } satisfies DecommissionProgress);
    }
    return { phase: 'succeeded', message: `blue cluster ${promotion.blue.name} deleted` };
  },
};
