import { expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { anEvent, aPromotion, finished } from '../unit/store/fixtures.js';
import { describeWithServers } from './environment.js';
import { kubernetesStoreSandbox } from './support/kubernetes-store-sandbox.js';
import { waitFor } from './support/wait-for.js';

/*
 * The Kubernetes store's reads come from the cache its Promotion informer keeps: this replica's own
 * writes at once, another replica's within the watch latency; writes still decide on the apiserver's copy.
 */
describeWithServers('Kubernetes PromotionStore reads from the informer cache (sandbox apiserver)', () => {
  const { freshNamespace, replica } = kubernetesStoreSandbox();

  it('shows another replica’s writes in this replica’s reads within the watch latency', async () => {
    const namespace = await freshNamespace();
    const [a, b] = [await replica(namespace), await replica(namespace)];
    // What B reads the moment it is told of a remote change: the leader wakes on exactly this and reads.
    const readWhenTold: Promise<number | undefined>[] = [];
    const told: number[] = [];
    b.watchAll((change) => {
      told.push(performance.now());
      readWhenTold.push(b.get(change.promotionId).then((p) => p?.version));
    });

    const created = await a.create(aPromotion(), [anEvent('created')]);
    expect(await waitFor(() => b.get(created.id), 'replica B to read A’s promotion', 10_000)).toEqual(
      created,
    );
    expect((await b.list()).map((p) => p.id)).toEqual([created.id]);
    expect((await b.active()).map((p) => p.id)).toEqual([created.id]);
    expect(await b.latestForPlatform(created.platform)).toEqual(created);

    // Each of A's writes, timed from its start: to its return on A, and to B being told (B's cache holds
    // it by then). B may be told before A's answer is read, so both count from the start.
    const writes: number[] = [];
    const seenByB: number[] = [];
    let current = created;
    for (let i = 0; i < 10; i++) {
      const before = told.length;
      const started = performance.now();
      current = await a.update(current, [anEvent(`step-${i}`)]);
      writes.push(performance.now() - started);
      const at = await waitFor(async () => told[before], `replica B to be told of write ${i}`, 10_000);
      seenByB.push(at - started);
    }
    const done = await a.update(finished(current), [anEvent('succeeded')]);
    await waitFor(
      async () => (await b.get(done.id))?.version === done.version,
      'B to read the finish',
      10_000,
    );
    expect(await b.get(done.id)).toEqual(done);
    expect(await b.active()).toEqual([]);
    expect((await b.events(done.id)).map((e) => e.type)).toEqual([
      'created',
      ...writes.map((_, i) => `step-${i}`),
      'succeeded',
    ]);
    expect(await Promise.all(readWhenTold)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    console.log(
      `kubernetes store, 10 updates by replica A: A's write returns after a median ${median(writes).toFixed(1)} ms, B's cache holds it a median ${median(seenByB).toFixed(1)} ms (max ${Math.max(...seenByB).toFixed(1)} ms) after the write began`,
    );
  });

  it('reads at once what beat its own compare-and-swap, and opens with what is stored', async () => {
    const namespace = await freshNamespace();
    const [a, b] = [await replica(namespace), await replica(namespace)];
    const created = await a.create(aPromotion(), [anEvent('created')]);
    const byB = await b.update(created, [anEvent('by-b')]);
    // A's cache may not have B's write yet, but the write reads from the apiserver and loses...
    await expect(a.update(created, [anEvent('stale')])).rejects.toBeInstanceOf(ConflictError);
    // ...and what it read is in A's cache, so the retry that follows a conflict sees what won.
    expect(await a.get(created.id)).toEqual(byB);
    expect((await a.events(created.id)).map((e) => e.type)).toEqual(['created', 'by-b']);

    // A replica opened now has listed before open returns: it reads everything without waiting.
    const late = await replica(namespace);
    expect(await late.get(created.id)).toEqual(byB);
    expect((await late.active()).map((p) => p.id)).toEqual([created.id]);
  });

  it('measures get and list of 20 promotions: from the informer cache and from the apiserver', async () => {
    const namespace = await freshNamespace();
    const cached = await replica(namespace);
    // Every read a call to the apiserver, as before the cache.
    const direct = await replica(namespace, { cacheReads: false });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await cached.create(aPromotion({ id: `r-${i}`, platform: `r-${i}` }), [
        anEvent('created'),
      ]);
      ids.push(created.id);
    }
    const timings = { cached: { get: [] as number[], list: [] as number[] }, direct: { get: [], list: [] } };
    const timed = async <T>(into: number[], read: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await read();
      into.push(performance.now() - started);
      return result;
    };
    // Interleaved, so both see the same machine load.
    for (let round = 0; round < 3; round++) {
      for (const id of ids) {
        for (const [store, into] of [
          [cached, timings.cached],
          [direct, timings.direct],
        ] as const) {
          expect((await timed(into.get, () => store.get(id)))?.id).toBe(id);
          expect(await timed(into.list, () => store.list())).toHaveLength(20);
        }
      }
    }
    expect(await cached.list()).toEqual(await direct.list());
    expect(await cached.active()).toEqual(await direct.active());
    const ms = (values: number[]) => `${median(values).toFixed(2)} ms`;
    console.log(
      `kubernetes store, 20 promotions, median of 60: get ${ms(timings.direct.get)} from the apiserver, ${ms(timings.cached.get)} from the cache; list ${ms(timings.direct.list)} from the apiserver, ${ms(timings.cached.list)} from the cache`,
    );
  });
});

const median = (values: readonly number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
