/**
 * Applies a weight someone set by hand: the side gaining traffic must be ready → one atomic write
 * (skipped if the router already shows it) → read back until verified → record it. Automatic stepping
 * stays paused until a person resumes.
 */
import type { PlatformProviders } from '../domain/ports.js';
import type { NewEvent, Promotion } from '../domain/promotion.js';

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
    const gaining = change.green > promotion.traffic.green ? promotion.green : promotion.blue;
    const readiness = await providers.health.readyForTraffic(gaining);
    if (!readiness.ready) {
      const message = `manual weight ${change.green}% refused: ${gaining.name} is not ready for more traffic (${readiness.message})`;
      return {
        promotion: { ...promotion, traffic, pauseReason: message },
        events: [
          { type: 'traffic.manual-refused', actor: 'switchyard', message, data: { green: change.green } },
        ],
      };
    }
    const reading = await providers.router.read();
    const alreadyThere = reading.kind === 'weighted' && reading.green === change.green;
    const changeId = alreadyThere ? undefined : (await providers.router.apply(change.green)).changeId;
    return {
      promotion: {
        ...promotion,
        traffic: { ...promotion.traffic, manualChange: { ...change, applied: true, changeId } },
      },
      events: [],
    };
  }

  const verified = await providers.router.verify(change.green, change.changeId);
  if (!verified.ready) return { promotion, events: [], waitMs: promotion.plan.pollIntervalMs };
  const at = now.toISOString();
  return {
    promotion: {
      ...promotion,
      traffic: {
        ...traffic,
        green: change.green,
        history: [...traffic.history, { at, green: change.green, reason: 'manual', by: change.by }],
      },
    },
    events: [
      {
        type: 'traffic.verified',
        actor: change.by,
        message: `${change.green}% to green verified at the router (manual)`,
        data: { green: change.green, reason: 'manual' },
      },
    ],
  };
}
