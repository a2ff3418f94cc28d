import type { Logger } from 'pino';
import type { ChangeFeed } from '../domain/ports.js';
import type { PassOutcome } from './engine.js';

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ReconcilerOptions {
  /** Where the unfinished work is found at start (a promotion store, or a store's fleet runs). */
  readonly store: { active(): Promise<readonly { readonly id: string; readonly nextRunAt?: string }[]> };
  readonly pass: (id: string) => Promise<PassOutcome>;
  /** How many promotions (and so platforms) may run a pass at the same time. */
  readonly maxConcurrent: number;
  readonly now: () => Date;
  readonly log: Logger;
  readonly timers?: Timers;
  /** Delay before retrying a pass that threw (a bug or an unreachable store), not a stage failure. */
  readonly errorDelayMs?: number;
}

/**
 * Schedules reconcile passes: at start for every unfinished promotion (at its stored nextRunAt), on
 * timers for requeues, and at once when woken by an API action. Never runs two passes of the same
 * promotion at the same time, and at most `maxConcurrent` passes overall.
 */
export class Reconciler {
  private readonly timers: Timers;
  private readonly scheduled = new Map<string, unknown>();
  private readonly running = new Set<string>();
  /** Promotions woken while their pass ran: they get another pass right after. */
  private readonly wokenWhileRunning = new Set<string>();
  private readonly queue: string[] = [];
  /** Change feeds that may bring a waiting promotion's next pass forward; stopped when it starts. */
  private readonly feeds = new Map<string, () => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: ReconcilerOptions) {
    this.timers = options.timers ?? realTimers;
  }

  /** Schedules every unfinished promotion; after a stop (a replica that leads again), starts over. */
  async start(): Promise<void> {
    this.stopped = false;
    const now = this.options.now().getTime();
    for (const promotion of await this.options.store.active()) {
      const due = promotion.nextRunAt ? Date.parse(promotion.nextRunAt) - now : 0;
      this.schedule(promotion.id, Math.max(0, due));
    }
  }

  /** Runs a pass for this promotion now (or right after the one in progress). */
  wake(id: string): void {
    if (this.running.has(id)) this.wokenWhileRunning.add(id);
    else this.schedule(id, 0);
  }

  /** Stops scheduling (wakes are ignored until the next start) and waits for passes in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.scheduled.values()) this.timers.clearTimeout(handle);
    this.scheduled.clear();
    for (const id of [...this.feeds.keys()]) this.stopFeed(id);
    this.queue.length = 0;
    await this.idle();
    this.wokenWhileRunning.clear();
  }

  /** Resolves when no pass is running or queued (timers may still be pending). */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(id: string, delayMs: number): void {
    if (this.stopped) return;
    const existing = this.scheduled.get(id);
    if (existing !== undefined) this.timers.clearTimeout(existing);
    this.scheduled.set(
      id,
      this.timers.setTimeout(() => {
        this.scheduled.delete(id);
        this.enqueue(id);
      }, delayMs),
    );
  }

  private enqueue(id: string): void {
    if (this.running.has(id)) {
      this.wokenWhileRunning.add(id);
      return;
    }
    if (!this.queue.includes(id)) this.queue.push(id);
    this.drain();
  }

  private drain(): void {
    while (!this.stopped && this.running.size < this.options.maxConcurrent) {
      const index = this.queue.findIndex((id) => !this.running.has(id));
      if (index < 0) break;
      const [id] = this.queue.splice(index, 1);
      if (id !== undefined) void this.run(id);
    }
    if (this.running.size === 0 && this.queue.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(id: string): Promise<void> {
    this.running.add(id);
    this.stopFeed(id);
    let next: number | undefined;
    let wakeOn: ChangeFeed | undefined;
    try {
      ({ requeueAfterMs: next, wakeOn } = await this.options.pass(id));
    } catch (error) {
      next = this.options.errorDelayMs ?? 5_000;
      this.options.log.error({ promotionId: id, err: error }, 'reconcile pass failed; retrying');
    } finally {
      this.running.delete(id);
    }
    if (this.wokenWhileRunning.delete(id)) next = 0;
    if (next !== undefined) this.schedule(id, next);
    if (next !== undefined && next > 0 && wakeOn !== undefined) this.follow(id, wakeOn);
    this.drain();
  }

  /** Wakes the promotion at the feed's first change; the timer set beside it stays the backstop. */
  private follow(id: string, feed: ChangeFeed): void {
    if (this.stopped) return;
    // Over once it reported a change or was stopped: a late report of a stopped feed wakes nothing.
    let over = false;
    let stop: (() => void) | undefined;
    const end = () => {
      over = true;
      stop?.();
    };
    const onChange = () => {
      if (over) return;
      if (this.feeds.get(id) === end) this.feeds.delete(id);
      end();
      this.wake(id);
    };
    try {
      stop = feed(onChange);
      // A feed may report a change while it starts: then it is already over.
      if (over) stop();
      else this.feeds.set(id, end);
    } catch (error) {
      this.options.log.debug({ promotionId: id, err: error }, 'change feed did not start; the timer stands');
    }
  }

  private stopFeed(id: string): void {
    const stop = this.feeds.get(id);
    if (stop === undefined) return;
    this.feeds.delete(id);
    try {
      stop();
    } catch (error) {
      this.options.log.debug({ promotionId: id, err: error }, 'stopping a change feed failed');
    }
  }
}
