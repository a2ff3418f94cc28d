import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedQueue } from '../../../../src/kube-native/gitops/keyed-queue.js';

const log = pino({ level: 'silent' });

/** Work that waits until the test lets the run of a key end, recording the order of starts. */
function gatedWork() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const work = (key: string) =>
    new Promise<void>((resolve) => {
      started.push(key);
      gates.set(key, resolve);
    });
  const finish = async (key: string) => {
    gates.get(key)?.();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { started, work, finish };
}

describe('keyed work queue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one key once at a time, folds what arrives meanwhile into one more run, runs keys side by side', async () => {
    const { started, work, finish } = gatedWork();
    const queue = new KeyedQueue(work, { log });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['a', 'b']);
    await finish('a');
    expect(started).toEqual(['a', 'b', 'a']);
    await finish('a');
    await finish('b');
    expect(started).toEqual(['a', 'b', 'a']);
    await queue.stop();
  });

  it('tries a failed key again after a delay that doubles, and not after stop', async () => {
    const attempts: number[] = [];
    let failing = true;
    const queue = new KeyedQueue(
      async () => {
        attempts.push(Date.now());
        if (failing) throw new Error('apiserver unreachable');
      },
      { log, firstRetryMs: 100, maxRetryMs: 1_000 },
    );
    const start = Date.now();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(350);
    expect(attempts.map((at) => at - start)).toEqual([0, 100, 300]);
    failing = false;
    await vi.advanceTimersByTimeAsync(400);
    expect(attempts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(attempts).toHaveLength(4);

    failing = true;
    queue.add('b');
    await vi.advanceTimersByTimeAsync(0);
    await queue.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(attempts).toHaveLength(5);
  });
});
