import { describe, expect, it } from 'vitest';
import type { Observation, TrafficReading } from '../../../src/domain/ports.js';
import type { Promotion } from '../../../src/domain/promotion.js';
import { type GreenPercent, greenPercent } from '../../../src/domain/weights.js';
import { moveWeight } from '../../../src/engine/weight-move.js';

/** A promise settled by the test, so the order of what was asked before what answered is visible. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function world(recordedGreen: number) {
  const calls: string[] = [];
  const read = deferred<TrafficReading>();
  const ready = new Map<string, ReturnType<typeof deferred<Observation>>>();
  const promotion = {
    blue: { name: 'shop-blue' },
    green: { name: 'shop-green' },
    traffic: { green: greenPercent(recordedGreen), manual: false, history: [] },
  } as unknown as Pick<Promotion, 'blue' | 'green' | 'traffic'>;
  const providers = {
    router: {
      ttlSeconds: 0,
      read: () => {
        calls.push('read');
        return read.promise;
      },
      apply: async (green: GreenPercent) => {
        calls.push(`apply(${green})`);
        return { changeId: 'C1' };
      },
      verify: async () => ({ ready: true, message: '' }),
    },
    health: {
      readyForTraffic: (cluster: { name: string }) => {
        calls.push(`ready(${cluster.name})`);
        const answer = deferred<Observation>();
        ready.set(cluster.name, answer);
        return answer.promise;
      },
    },
  } as unknown as Parameters<typeof moveWeight>[1];
  const weighted = (green: number | undefined): TrafficReading => ({
    kind: 'weighted',
    green: green === undefined ? undefined : greenPercent(green),
    detail: 'test',
  });
  return { calls, read, ready, promotion, providers, weighted };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('one weight move: the read and the readiness of the side gaining traffic', () => {
  it('asks green ready while the router is read, and writes only once both answered', async () => {
    const w = world(10);
    const moving = moveWeight(w.promotion, w.providers, greenPercent(50));
    await settle();
    // Both asked before either answered.
    expect(w.calls).toEqual(['read', 'ready(shop-green)']);
    w.ready.get('shop-green')?.resolve({ ready: true, message: 'ready' });
    await settle();
    expect(w.calls).not.toContain('apply(50)');
    w.read.resolve(w.weighted(10));
    expect(await moving).toMatchObject({ kind: 'moved', written: true, changeId: 'C1' });
    expect(w.calls).toEqual(['read', 'ready(shop-green)', 'apply(50)']);
  });

  it('never writes when the side asked early is not ready', async () => {
    const w = world(10);
    const moving = moveWeight(w.promotion, w.providers, greenPercent(50));
    await settle();
    w.read.resolve(w.weighted(10));
    w.ready.get('shop-green')?.resolve({ ready: false, message: 'web 1/3 available' });
    expect(await moving).toMatchObject({ kind: 'not-ready', side: 'green', message: 'web 1/3 available' });
    expect(w.calls).not.toContain('apply(50)');
  });

  it('asks a side the router adds after reading it: a split someone changed by hand', async () => {
    // Recorded 10 %, but the router holds a pair it cannot interpret: blue will hold traffic too.
    const w = world(10);
    const moving = moveWeight(w.promotion, w.providers, greenPercent(50));
    await settle();
    expect(w.calls).toEqual(['read', 'ready(shop-green)']);
    w.read.resolve(w.weighted(undefined));
    await settle();
    expect(w.calls).toEqual(['read', 'ready(shop-green)', 'ready(shop-blue)']);
    w.ready.get('shop-green')?.resolve({ ready: true, message: '' });
    w.ready.get('shop-blue')?.resolve({ ready: false, message: 'blue has no nodes' });
    expect(await moving).toMatchObject({ kind: 'not-ready', side: 'blue' });
    expect(w.calls).not.toContain('apply(50)');
  });

  it('writes nothing where the router already shows the target, and a failed early readiness is not raised', async () => {
    const w = world(10);
    const moving = moveWeight(w.promotion, w.providers, greenPercent(50));
    await settle();
    w.ready.get('shop-green')?.reject(new Error('apiserver down'));
    w.read.resolve(w.weighted(50));
    expect(await moving).toMatchObject({ kind: 'moved', written: false });
    expect(w.calls).toEqual(['read', 'ready(shop-green)']);
  });
});
