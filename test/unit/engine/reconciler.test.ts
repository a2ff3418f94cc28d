import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ChangeFeed } from '../../../src/domain/ports.js';
import { newPromotion } from '../../../src/domain/promotion.js';
import { Reconciler, type Timers } from '../../../src/engine/reconciler.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { testPromotion } from '../../fakes/promotions.js';

/** Timers the test fires by hand. */
class ManualTimers implements Timers {
  pending = new Map<number, { callback: () => void; ms: number }>();
  private next = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    this.pending.set(++this.next, { callback, ms });
    return this.next;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.callback();
  }
}

const log = pino({ level: 'silent' });
const now = () => new Date('2026-11-25T10:00:00Z');

describe('reconciler', () => {
  it('on start, schedules every unfinished promotion at its stored nextRunAt', async () => {
    const store = createMemoryStore({ now });
    const p1 = await store.create(newPromotion({ ...testPromotion('p-1'), platform: 'a' }, now()), []);
    await store.update({ ...p1, nextRunAt: '2026-11-25T10:00:30Z' }, []);
    await store.create(newPromotion({ ...testPromotion('p-2'), platform: 'b' }, now()), []);
    const timers = new ManualTimers();
    const reconciler = new Reconciler({ store, pass: async () => ({}), maxConcurrent: 2, now, log, timers });
    await reconciler.start();
    expect(timers.delays().sort((a, b) => a - b)).toEqual([0, 30_000]);
  });

  it('never overlaps passes of one promotion, bounds concurrency, and re-runs a promotion woken mid-pass', async () => {
    const store = createMemoryStore({ now });
    const timers = new ManualTimers();
    const releases: (() => void)[] = [];
    const started: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const reconciler = new Reconciler({
      store,
      maxConcurrent: 2,
      now,
      log,
      timers,
      pass: async (id) => {
        started.push(id);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return {};
      },
    });
    for (const id of ['a', 'b', 'c']) reconciler.wake(id);
    timers.fireAll();
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']); // c waits for a free slot
    reconciler.wake('a'); // woken while its pass runs: must not start a second one now
    timers.fireAll();
    expect(started).toEqual(['a', 'b']);

    releases.shift()?.(); // a finishes → c takes the slot; a's extra pass is scheduled
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b', 'c']);
    expect(timers.delays()).toEqual([0]);
    timers.fireAll();
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await reconciler.idle();
    expect(started).toEqual(['a', 'b', 'c', 'a']);
    expect(maxRunning).toBe(2);
  });

  it('requeues after the delay a pass asks for, and retries a pass that threw', async () => {
    const store = createMemoryStore({ now });
    const timers = new ManualTimers();
    let calls = 0;
    const reconciler = new Reconciler({
      store,
      maxConcurrent: 1,
      now,
      log,
      timers,
      errorDelayMs: 7_000,
      pass: async () => {
        calls++;
        if (calls === 1) return { requeueAfterMs: 12_000 };
        throw new Error('store unreachable');
      },
    });
    reconciler.wake('p');
    timers.fireAll();
    await reconciler.idle();
    expect(timers.delays()).toEqual([12_000]);
    timers.fireAll();
    await reconciler.idle();
    expect(timers.delays()).toEqual([7_000]);
    await reconciler.stop();
    expect(timers.delays()).toEqual([]);
  });

  it('ignores wakes while stopped and schedules every unfinished promotion again when restarted', async () => {
    // A replica that stops leading stops acting, and acts on everything again when it leads again.
    const store = createMemoryStore({ now });
    await store.create(newPromotion({ ...testPromotion('p-1'), platform: 'a' }, now()), []);
    const timers = new ManualTimers();
    const passes: string[] = [];
    const reconciler = new Reconciler({
      store,
      maxConcurrent: 2,
      now,
      log,
      timers,
      pass: async (id) => {
        passes.push(id);
        return {};
      },
    });
    await reconciler.start();
    await reconciler.stop();
    reconciler.wake('p-1');
    expect(timers.delays()).toEqual([]);
    await reconciler.start();
    timers.fireAll();
    await reconciler.idle();
    expect(passes).toEqual(['p-1']);
  });

  it('a change the waiting stage’s feed reports brings the next pass forward, once, and the timer stays', async () => {
    const store = createMemoryStore({ now });
    const timers = new ManualTimers();
    const feeds: { report: () => void; stopped: boolean }[] = [];
    const feed: ChangeFeed = (onChange) => {
      const entry = { report: onChange, stopped: false };
      feeds.push(entry);
      return () => {
        entry.stopped = true;
      };
    };
    let passes = 0;
    const reconciler = new Reconciler({
      store,
      maxConcurrent: 1,
      now,
      log,
      timers,
      pass: async () => {
        passes++;
        return { requeueAfterMs: 10_000, wakeOn: feed };
      },
    });
    reconciler.wake('p');
    timers.fireAll();
    await reconciler.idle();
    expect([passes, feeds.length, timers.delays()]).toEqual([1, 1, [10_000]]);

    // The change: the feed is stopped and the pass runs at once instead of in 10 s.
    feeds[0]?.report();
    expect(feeds[0]?.stopped).toBe(true);
    expect(timers.delays()).toEqual([0]);
    feeds[0]?.report(); // a second report of the same feed wakes nothing more
    expect(timers.delays()).toEqual([0]);
    timers.fireAll();
    await reconciler.idle();
    expect([passes, feeds.length, timers.delays()]).toEqual([2, 2, [10_000]]);

    // Without a change the timer runs the pass, which stops the feed it no longer needs.
    timers.fireAll();
    await reconciler.idle();
    expect([passes, feeds[1]?.stopped]).toEqual([3, true]);
    // A report from that stopped feed arrives late: it wakes nothing.
    feeds[1]?.report();
    expect(timers.delays()).toEqual([10_000]);

    await reconciler.stop();
    expect(feeds[2]?.stopped).toBe(true);
  });

  it('a feed that reports while it starts, or fails to start, leaves the promotion on its timer or wakes it', async () => {
    const store = createMemoryStore({ now });
    const timers = new ManualTimers();
    let calls = 0;
    const reconciler = new Reconciler({
      store,
      maxConcurrent: 1,
      now,
      log,
      timers,
      pass: async () => {
        calls++;
        const wakeOn: ChangeFeed =
          calls === 1
            ? (onChange) => {
                onChange();
                return () => undefined;
              }
            : () => {
                throw new Error('watch refused: forbidden');
              };
        return { requeueAfterMs: 5_000, wakeOn };
      },
    });
    reconciler.wake('p');
    timers.fireAll();
    await reconciler.idle();
    expect(timers.delays()).toEqual([0]); // changed already: looks again at once
    timers.fireAll();
    await reconciler.idle();
    expect(timers.delays()).toEqual([5_000]); // no feed: the backoff alone
    await reconciler.stop();
  });
});
