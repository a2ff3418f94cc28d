/**
 * The act part of one weight move, shared by traffic steps, manual weights and rollback steps: read the
 * router once, decide (src/domain/weight-move.ts), make sure the side gaining traffic is ready (asked
 * beside the read), then write once. Verifying and recording stay with the caller, which stores
 * progress between them.
 */
import type { Observation, PlatformProviders } from '../domain/ports.js';
import type { Promotion } from '../domain/promotion.js';
import { decideWeightMove, type Side, sidesGaining, type WeightDecision } from '../domain/weight-move.js';
import type { GreenPercent } from '../domain/weights.js';

export type MoveOutcome =
  /** The router shows the target now (written, or it already did); verify next. */
  | {
      readonly kind: 'moved';
      readonly written: boolean;
      readonly changeId?: string;
      readonly decision: WeightDecision;
    }
  /** A side that would gain traffic is not ready: nothing was written. */
  | {
      readonly kind: 'not-ready';
      readonly side: Side;
      readonly cluster: string;
      readonly message: string;
      readonly decision: WeightDecision;
    };

export async function moveWeight(
  promotion: Pick<Promotion, 'blue' | 'green' | 'traffic'>,
  providers: Pick<PlatformProviders, 'router' | 'health'>,
  target: GreenPercent,
  options: { readonly decided?: WeightDecision } = {},
): Promise<MoveOutcome> {
  const readiness = new Map<Side, Promise<Observation>>();
  const askReady = (side: Side): Promise<Observation> => {
    const asked = readiness.get(side) ?? providers.health.readyForTraffic(promotion[side]);
    readiness.set(side, asked);
    return asked;
  };
  let decision = options.decided;
  if (decision === undefined) {
    const reading = providers.router.read();
    // The side the last verified weight says will gain is asked while the router is read: both are
    // reads before the write, so the write waits for the slower one instead of both in turn. A side
    // the router's answer adds (a split someone changed) is asked after it.
    for (const side of sidesGaining(promotion.traffic.green, target)) {
      // Awaited below when the decision needs it; unneeded, its failure changes nothing.
      askReady(side).catch(() => undefined);
    }
    decision = decideWeightMove(await reading, target);
  }
  if (!decision.write) return { kind: 'moved', written: false, decision };
  for (const side of decision.gaining) {
    const ready = await askReady(side);
    if (!ready.ready) {
      return { kind: 'not-ready', side, cluster: promotion[side].name, message: ready.message, decision };
    }
  }
  // The write builds on the same read that decided it: one read before the write, not two.
  const { changeId } = await providers.router.apply(target, decision.reading);
  return { kind: 'moved', written: true, ...(changeId === undefined ? {} : { changeId }), decision };
}
