import { describe, expect, it } from 'vitest';
import { createEventFeeds, type EventSink } from '../../../src/api/event-feed.js';
import type { PromotionEvent } from '../../../src/domain/promotion.js';
import { createChangeBus } from '../../../src/store/changes.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { PromotionStore } from '../../../src/store/store.js';
import { anEvent, aPromotion } from '../store/fixtures.js';

/** A reader that records what it got; `full` makes its sink refuse more until resumed. */
function reader() {
  const got: number[] = [];
  const state = { ended: false, full: false };
  const sink: EventSink = {
    write: (text) => {
      got.push(Number(text));
      return !state.full;
    },
    end: () => {
      state.ended = true;
    },
  };
  return { got, state, sink };
}

/** Lets the feed's reads (promises over the memory store) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function world() {
  const bus = createChangeBus();
  let reads = 0;
  const memory = createMemoryStore({ bus });
  const store: PromotionStore = {
    ...memory,
    async events(id, after) {
      reads++;
      return memory.events(id, after);
    },
  };
  const feeds = createEventFeeds(store, {
    format: (event: PromotionEvent) => String(event.seq),
    onError: (error) => {
      throw error;
    },
  });
  return { bus, store, feeds, reads: () => reads };
}

describe('event feeds', () => {
  it('pushes each committed event once, in order, to every reader, reading once per write for all of them', async () => {
    const { store, feeds, reads } = world();
    const created = await store.create(aPromotion(), [anEvent('created')]);
    const readers = Array.from({ length: 5 }, reader);
    for (const r of readers) feeds.subscribe('p-1', 0, r.sink);
    await settle();
    const readsAfterJoin = reads();
    expect(readsAfterJoin).toBe(1);

    let current = created;
    for (let i = 0; i < 3; i++) {
      current = await store.update(current, [anEvent(`step-${i}`), anEvent(`more-${i}`)]);
      await settle();
    }
    await store.appendEvents('p-1', [anEvent('refused')]);
    await store.update({ ...current, phase: 'succeeded' }, [anEvent('done')]);
    await settle();
    // One read per write (two writes in one turn may share one), not one per reader.
    expect(reads() - readsAfterJoin).toBeLessThanOrEqual(5);

    const seqs = (await store.events('p-1')).map((e) => e.seq);
    for (const r of readers) {
      expect(r.got).toEqual(seqs);
      expect(r.state.ended).toBe(true);
    }
    expect(feeds.open()).toBe(0);
  });

  it('resumes after a seq, and ends at once for a finished promotion', async () => {
    const { store, feeds } = world();
    const created = await store.create(aPromotion(), [anEvent('a'), anEvent('b'), anEvent('c')]);
    await store.update({ ...created, phase: 'succeeded' }, [anEvent('d')]);
    const seqs = (await store.events('p-1')).map((e) => e.seq);
    const r = reader();
    feeds.subscribe('p-1', seqs[1] ?? 0, r.sink);
    await settle();
    expect(r.got).toEqual(seqs.slice(2));
    expect(r.state.ended).toBe(true);
  });

  it('a late reader that resumes mid-log and an early one both get exactly their events', async () => {
    const { store, feeds } = world();
    let current = await store.create(aPromotion(), [anEvent('a')]);
    const early = reader();
    feeds.subscribe('p-1', 0, early.sink);
    await settle();
    current = await store.update(current, [anEvent('b'), anEvent('c')]);
    await settle();
    const sofar = (await store.events('p-1')).map((e) => e.seq);
    const late = reader();
    feeds.subscribe('p-1', sofar[1] ?? 0, late.sink);
    current = await store.update(current, [anEvent('d')]);
    await settle();
    const all = (await store.events('p-1')).map((e) => e.seq);
    expect(early.got).toEqual(all);
    expect(late.got).toEqual(all.slice(2));
  });

  it('a reader resuming past the end of the log (a made-up Last-Event-ID) makes no one miss what comes', async () => {
    const { store, feeds } = world();
    let current = await store.create(aPromotion(), [anEvent('a')]);
    const far = reader();
    feeds.subscribe('p-1', 1_000_000, far.sink);
    await settle();
    const early = reader();
    feeds.subscribe('p-1', 0, early.sink);
    await settle();
    current = await store.update(current, [anEvent('b')]);
    await settle();
    const late = reader();
    feeds.subscribe('p-1', 0, late.sink);
    current = await store.update(current, [anEvent('c')]);
    await settle();
    const all = (await store.events('p-1')).map((e) => e.seq);
    expect(early.got).toEqual(all);
    expect(late.got).toEqual(all);
    expect(far.got).toEqual([]);
  });

  it('pauses a reader whose sink is full and catches it up from the store when it resumes', async () => {
    const { store, feeds } = world();
    let current = await store.create(aPromotion(), [anEvent('a')]);
    const slow = reader();
    const fast = reader();
    const subscription = feeds.subscribe('p-1', 0, slow.sink);
    feeds.subscribe('p-1', 0, fast.sink);
    await settle();
    slow.state.full = true;
    current = await store.update(current, [anEvent('b'), anEvent('c'), anEvent('d')]);
    await settle();
    // It took one event, said it was full, and got nothing more; the other reader went on.
    expect(slow.got).toHaveLength(2);
    current = await store.update(current, [anEvent('e')]);
    await settle();
    const all = (await store.events('p-1')).map((e) => e.seq);
    expect(fast.got).toEqual(all);
    expect(slow.got).toHaveLength(2);

    slow.state.full = false;
    subscription.resume();
    await settle();
    expect(slow.got).toEqual(all);
  });

  it('leaves no watch behind when its readers go, and starts afresh for the next one', async () => {
    const { bus, store, feeds } = world();
    await store.create(aPromotion(), [anEvent('a')]);
    const subscriptions = Array.from({ length: 3 }, () => feeds.subscribe('p-1', 0, reader().sink));
    await settle();
    expect(bus.listenerCount()).toBe(1);
    for (const s of subscriptions) s.close();
    expect(bus.listenerCount()).toBe(0);
    expect(feeds.open()).toBe(0);

    const again = reader();
    feeds.subscribe('p-1', 0, again.sink);
    await settle();
    expect(again.got).toHaveLength(1);
    expect(bus.listenerCount()).toBe(1);
  });

  it('ends its readers when the store fails, and tells why', async () => {
    const bus = createChangeBus();
    const memory = createMemoryStore({ bus });
    await memory.create(aPromotion(), []);
    const errors: unknown[] = [];
    const feeds = createEventFeeds(
      { ...memory, events: () => Promise.reject(new Error('store closed')) },
      { format: String, onError: (error) => errors.push(error) },
    );
    const r = reader();
    feeds.subscribe('p-1', 0, r.sink);
    await settle();
    expect(r.state.ended).toBe(true);
    expect(errors).toEqual([new Error('store closed')]);
    expect(bus.listenerCount()).toBe(0);
  });
});
