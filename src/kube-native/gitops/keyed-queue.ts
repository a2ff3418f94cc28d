/**
 * Work per key (a resource name), as Kubernetes controllers queue it: one run per key at a time, runs
 * asked for while one is under way fold into a single run after it, different keys run side by side
 * (a slow request for one platform never holds up a rollback of another), and a run that fails is
 * tried again after a growing delay.
 */
import type { Logger } from 'pino';

export interface KeyedQueueOptions {
  readonly log: Logger;
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

interface KeyState {
  running: boolean;
  again: boolean;
  failures: number;
  retry?: NodeJS.Timeout | undefined;
}

export class KeyedQueue {
  readonly #work: (key: string) => Promise<void>;
  readonly #options: KeyedQueueOptions;
  readonly #keys = new Map<string, KeyState>();
  readonly #runs = new Set<Promise<void>>();
  #stopped = false;

  constructor(work: (key: string) => Promise<void>, options: KeyedQueueOptions) {
    this.#work = work;
    this.#options = options;
  }

  add(key: string): void {
    if (this.#stopped) return;
    const state = this.#keys.get(key) ?? { running: false, again: false, failures: 0 };
    this.#keys.set(key, state);
    clearTimeout(state.retry);
    state.retry = undefined;
    if (state.running) {
      state.again = true;
      return;
    }
    const run = this.#run(key, state);
    this.#runs.add(run);
    void run.finally(() => this.#runs.delete(run));
  }

  /** Stops taking work and cancels retries; resolves when the runs under way have ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const state of this.#keys.values()) clearTimeout(state.retry);
    while (this.#runs.size > 0) await Promise.allSettled([...this.#runs]);
  }

  async #run(key: string, state: KeyState): Promise<void> {
    state.running = true;
    do {
      state.again = false;
      try {
        await this.#work(key);
        state.failures = 0;
      } catch (error) {
        state.failures += 1;
        const delay = Math.min(
          (this.#options.firstRetryMs ?? 1_000) * 2 ** (state.failures - 1),
          this.#options.maxRetryMs ?? 60_000,
        );
        this.#options.log.warn({ err: error, key, retryInMs: delay }, `${key}: failed; trying again later`);
        if (!this.#stopped && !state.again) {
          state.retry = setTimeout(() => this.add(key), delay);
          state.retry.unref();
        }
      }
    } while (state.again && !this.#stopped);
    state.running = false;
    if (state.retry === undefined && state.failures === 0) this.#keys.delete(key);
  }
}
