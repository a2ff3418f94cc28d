/**
 * Applies a weight someone set by hand: one weight move (the side gaining traffic must be ready, one
 * atomic write, skipped if the router already shows it) → read back until verified → record it. Automatic stepping
 * stays paused until a person resumes.
 */
import type { PlatformProviders } from '../domain/ports.js';
import type { NewEvent, Promotion } from '../domain/promotion.js';
import { recordVerifiedWeight } from '../domain/weight-move.js';
import { moveWeight } from './weight-move.js';

export interface ManualWeightResult {
  readonly promotion: Promotion;
  readonly events: readonly NewEvent[];
  readonly waitMs?: number;
}

export async function applyManualWeight(
  promotion: Promotion,
  providers: PlatformProviders,
  now: Date,
): Promise<ManualWeightResult> {
  const change = promotion.traffic.manualChange;
  if (change === undefined) return { promotion, events: [] };
  const { manualChange: _done, ...traffic } = promotion.traffic;

  if (!change.applied) {
    const moved = await moveWeight(promotion, providers, change.green);
    if (moved.kind === 'not-ready') {
      const message = `manual weight ${change.green}% refused: ${moved.cluster} is not ready for more traffic (${moved.message})`;
      return {
        promotion: { ...promotion, traffic, pauseReason: message },
        events: [
          { type: 'traffic.manual-refused', actor: 'switchyard', message, data: { green: change.green } },
        ],
      };
    }
    return {
      promotion: {
        ...promotion,
        traffic: {
          ...promotion.traffic,
          manualChange: { ...change, applied: true, changeId: moved.changeId },
        },
      },
      events: [],
    };
  }

  const verified = await providers.router.verify(change.green, change.changeId);
  if (!verified.ready) return { promotion, events: [], waitMs: promotion.plan.pollIntervalMs };
  const recorded = recordVerifiedWeight(
    traffic,
    { green: change.green, reason: 'manual', by: change.by },
    now.toISOString(),
  );
  return { promotion: { ...promotion, traffic: recorded.traffic }, events: [recorded.event] };
}
