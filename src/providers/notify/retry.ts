import type { Notifier } from '../../domain/ports.js';
import { errorMessage } from '../../domain/retryable.js';
import { NotifyError } from './http.js';

export interface RetryOptions {
  /** Including the first; default 4. */
  readonly maxAttempts?: number;
  /** Doubled after each failed attempt, up to maxDelayMs; defaults 1 s and 30 s. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries what may succeed later (429, 5xx, network errors; see NotifyError.retryable) with exponential
 * backoff, honouring a Retry-After up to maxDelayMs. Anything else, and the last failure, is thrown.
 */
export function withRetry(notifier: Notifier, options: RetryOptions = {}): Notifier {
  const { maxAttempts = 4, baseDelayMs = 1_000, maxDelayMs = 30_000, sleep = realSleep } = options;
  return {
    async post(notification, postOptions) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await notifier.post(notification, postOptions);
        } catch (error) {
          const retryable = error instanceof NotifyError && error.retryable;
          if (!retryable || attempt >= maxAttempts) {
            throw attempt === 1
              ? error
              : new NotifyError(`${errorMessage(error)} (${attempt} attempts)`, false);
          }
          const backoff = baseDelayMs * 2 ** (attempt - 1);
          const delayMs = Math.min(maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0));
          options.onRetry?.(attempt, error, delayMs);
          await sleep(delayMs);
        }
      }
    },
  };
}
