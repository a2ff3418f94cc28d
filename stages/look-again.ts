import { lookAgainMs, type StageContext, type StageResult } from '../src/domain/stage.js';

/**
 * Kept in a waiting stage's saved status: how many times it has looked at the operation under way.
 * Stored with the promotion, so the backoff carries on where it was after a restart.
 */
export interface Looks {
  readonly looks?: number;
}

/**
 * "Still under way, look again": the stage keeps running and comes back after the growing backoff
 * (lookAgainMs), saving `saved` (the stage's own progress, if any) with one more look counted.
 */
export function lookAgain(context: StageContext, message: string, saved: object = {}): StageResult {
  const looks = (context.saved as Looks | undefined)?.looks ?? 0;
  return {
    phase: 'running',
    requeueAfterMs: lookAgainMs(context.promotion.plan.pollIntervalMs, looks),
    message,
    saved: { ...saved, looks: looks + 1 } satisfies Looks,
  };
}
