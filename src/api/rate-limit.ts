/**
 * The mutation budget: each caller may make `max` mutating requests per window, over all mutating
 * routes together. Fixed windows per caller, counted synchronously, so a burst of concurrent requests
 * is counted exactly (the first `max` pass, the rest wait for the next window).
 */

/** Thrown for a request past its caller's budget; the API answers 429 with Retry-After. */
export class RateLimitedError extends Error {
  constructor(
    readonly max: number,
    readonly windowMs: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `rate limit reached: ${max} mutating requests per ${windowMs / 1000} s per caller; retry in ${retryAfterSeconds} s`,
    );
  }
}

export interface MutationBudget {
  /** Spends one request of the caller's budget; throws RateLimitedError when none is left. */
  spend(caller: string): void;
}

/** Callers kept before windows that have ended are dropped (callers are token names, so few). */
const pruneAbove = 1000;

export function mutationBudget(options: {
  readonly max: number;
  readonly windowMs: number;
  readonly now?: () => number;
}): MutationBudget {
  const { max, windowMs, now = Date.now } = options;
  const windows = new Map<string, { start: number; spent: number }>();
  return {
    spend(caller) {
      const at = now();
      if (windows.size > pruneAbove) {
        for (const [key, window] of windows) if (at - window.start >= windowMs) windows.delete(key);
      }
      let window = windows.get(caller);
      if (window === undefined || at - window.start >= windowMs) {
        window = { start: at, spent: 0 };
        windows.set(caller, window);
      }
      if (window.spent >= max) {
        throw new RateLimitedError(
          max,
          windowMs,
          Math.max(1, Math.ceil((window.start + windowMs - at) / 1000)),
        );
      }
      window.spent++;
    },
  };
}
