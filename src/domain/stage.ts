import type { PlatformProviders } from './ports.js';
import type { Promotion } from './promotion.js';
import type { StageName } from './stages.js';
import type { GreenPercent } from './weights.js';

export interface StageContext {
  readonly promotion: Promotion;
  /** What this stage saved on its previous run (undefined on the first). */
  readonly saved: unknown;
  readonly providers: PlatformProviders;
  readonly now: Date;
  /** True when a person approved the gate with this id. */
  isApproved(gateId: string): boolean;
}

/** Traffic the stage moved and verified during this run; the engine records it in the history. */
export interface VerifiedTraffic {
  readonly verifiedGreen?: GreenPercent;
}

export type StageResult =
  | ({ phase: 'running'; requeueAfterMs: number; message: string; saved?: unknown } & VerifiedTraffic)
  | { phase: 'waiting-approval'; gate: { id: string; reason: string }; message: string; saved?: unknown }
  | ({ phase: 'succeeded'; message: string; saved?: unknown } & VerifiedTraffic)
  | { phase: 'failed'; message: string; retryable: boolean };

/**
 * A promotion stage. `run` observes real state, then takes at most one idempotent step; it is called
 * again after every requeue and after a crash, so it must work out where it is from what it observes
 * and from `saved`.
 */
export interface Stage {
  readonly name: StageName;
  run(context: StageContext): Promise<StageResult>;
}
