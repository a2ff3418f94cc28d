import { apiCode } from './objects.js';

export interface TooManyRequestsOptions {
  /** Tries per call, the first included. */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const longestWaitMs = 5_000;

/**
 * The API client with every call retried after a 429 Too Many Requests, waiting what its Retry-After
 * says (1 s when it says nothing, at most 5 s). The apiserver answers 429 before it does anything (API
 * priority and fairness, or "storage is (re)initializing" just after a CRD is installed or the apiserver
 * restarted), so sending a write again cannot apply it twice. Other failures pass through untouched.
 */
export function retryingTooManyRequests<T extends object>(api: T, options: TooManyRequestsOptions = {}): T {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return new Proxy(api, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await value.apply(target, args);
          } catch (error) {
            if (apiCode(error) !== 429 || attempt >= attempts) throw error;
            await sleep(retryAfterMs(error));
          }
        }
      };
    },
  });
}

function retryAfterMs(error: unknown): number {
  const header = (error as { headers?: Record<string, string> }).headers?.['retry-after'];
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1_000, longestWaitMs) : 1_000;
}
