import type { ChangeFeed, PlatformProviders } from './ports.js';
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
  | ({
      phase: 'running';
      requeueAfterMs: number;
      message: string;
      saved?: unknown;
      /** Look again as soon as this feed reports a change, before `requeueAfterMs` if it comes first. */
      wakeOn?: ChangeFeed;
    } & VerifiedTraffic)
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

/**
 * The first look at an operation a stage is waiting on: soon, because many are done at once or within
 * moments (a deletion AWS accepted, a Deployment whose pods are starting). A few more cheap looks at
 * the start of a long operation cost less than noticing a short one late.
 */
export const firstLookMs = 50;

/**
 * How long a stage waits before its next look at an operation under way, after `looks` earlier
 * looks: 50 ms, then twice as long each time, never longer than the poll interval. An operation that
 * is already done (or nearly) is noticed at once; a long one (an EKS control plane, ~10 min) settles
 * at the poll interval after eight looks, so AWS is never polled faster than the plan allows for long.
 */
export function lookAgainMs(pollIntervalMs: number, looks: number): number {
  return Math.min(pollIntervalMs, firstLookMs * 2 ** Math.max(0, looks));
}
