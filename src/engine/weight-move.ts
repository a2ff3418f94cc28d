/**
 * The act part of one weight move, shared by traffic steps, manual weights and rollback steps: read the
 * router once, decide (src/domain/weight-move.ts), make sure the side gaining traffic is ready, then
 * write once. Verifying and recording stay with the caller, which stores progress between them.
 */
import type { PlatformProviders } from '../domain/ports.js';
import type { Promotion } from '../domain/promotion.js';
import { decideWeightMove, type Side, type WeightDecision } from '../domain/weight-move.js';
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
  promotion: Pick<Promotion, 'blue' | 'green'>,
  providers: Pick<PlatformProviders, 'router' | 'health'>,
  target: GreenPercent,
  options: { readonly decided?: WeightDecision } = {},
): Promise<MoveOutcome> {
  const decision = options.decided ?? decideWeightMove(await providers.router.read(), target);
  if (!decision.write) return { kind: 'moved', written: false, decision };
  for (const side of decision.gaining) {
    const cluster = promotion[side];
    const readiness = await providers.health.readyForTraffic(cluster);
    if (!readiness.ready) {
      return { kind: 'not-ready', side, cluster: cluster.name, message: readiness.message, decision };
    }
  }
  // The write builds on the same read that decided it: one read before the write, not two.
  const { changeId } = await providers.router.apply(target, decision.reading);
  return { kind: 'moved', written: true, ...(changeId === undefined ? {} : { changeId }), decision };
}
