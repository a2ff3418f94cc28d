/**
 * A clock that moves only when a test says so. `sleep` resolves when `advance` passes its wake-up time;
 * between wake-ups `advance` lets every pending promise run, so a loop driven by `sleep` takes exactly the
 * steps it would take in that much real time, at once.
 */
interface Sleeper {
  readonly wakeAt: number;
  readonly wake: () => void;
}

export class FakeClock {
  #now: number;
  readonly #sleepers: Sleeper[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      this.#sleepers.push({ wakeAt: this.#now + Math.max(0, ms), wake });
    });

  /** Moves the clock forward without waking anyone: a process frozen for `ms` (SIGSTOP, a paused VM). */
  freeze(ms: number): void {
    this.#now += ms;
  }

  /** Moves the clock forward by `ms`, waking sleepers in order of their wake-up times. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#sleepers.reduce<Sleeper | undefined>(
        (earliest, sleeper) =>
          earliest === undefined || sleeper.wakeAt < earliest.wakeAt ? sleeper : earliest,
        undefined,
      );
      if (next === undefined || next.wakeAt > until) break;
      this.#sleepers.splice(this.#sleepers.indexOf(next), 1);
      // Never backwards: after a freeze, overdue sleepers wake at the frozen-past time.
      this.#now = Math.max(this.#now, next.wakeAt);
      next.wake();
    }
    this.#now = until;
    await settle();
  }
}

/** Lets every promise that can run without a timer run (the fakes answer on the microtask queue). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
