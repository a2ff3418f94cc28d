import type { StageName } from './stages.js';
import type { GreenPercent } from './weights.js';

/** One step of the traffic shift: move to `green` percent, hold for `bakeMs`, optionally wait for a human. */
export interface TrafficStep {
  readonly green: GreenPercent;
  /** At least the router's TTL, so resolvers have picked the new weights up before the step is judged. */
  readonly bakeMs: number;
  readonly approval: boolean;
}

/**
 * How a rollback runs. `instant` moves all traffic to blue in one verified change; `stepped` walks back
 * through `steps` (each verified and held for `stepBakeMs`). `green: teardown` deletes the green cluster
 * once `drainDelayMs` has passed after blue holds all traffic; `automatic` rolls back on a failed
 * qualification or analysis instead of pausing for a human.
 */
export interface RollbackPolicy {
  readonly mode: 'instant' | 'stepped';
  readonly green: 'keep' | 'teardown';
  readonly drainDelayMs: number;
  readonly automatic: boolean;
  /** Green percents a stepped rollback passes through on its way to 0, e.g. [50, 10]. */
  readonly steps: readonly number[];
  readonly stepBakeMs: number;
}

export interface RetryPolicy {
  /** Attempts of one stage action before its failure counts as final. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The platform's promotion settings, copied into the promotion when it starts so that editing the
 * platform config never changes a promotion already under way.
 */
export interface PromotionPlan {
  readonly ttlSeconds: number;
  readonly steps: readonly TrafficStep[];
  readonly rollback: RollbackPolicy;
  readonly retry: RetryPolicy;
  readonly stageTimeoutsMs: Partial<Record<StageName, number>>;
  /** How often a stage that is waiting on the outside world looks again. */
  readonly pollIntervalMs: number;
}

/** Exponential backoff with a cap: base, 2×base, 4×base, … up to maxDelayMs. */
export function retryDelayMs(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}
