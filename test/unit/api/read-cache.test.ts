import { describe, expect, it } from 'vitest';
import { createReadCache } from '../../../src/api/read-cache.js';
import { NotFoundError } from '../../../src/domain/errors.js';
import { createChangeBus } from '../../../src/store/changes.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { anEvent, aPromotion } from '../store/fixtures.js';

function world() {
  const bus = createChangeBus();
  const store = createMemoryStore({ bus });
  let reads = 0;
  /** What a route would serialize: the stored record's version and its event count. */
  const read = (id: string) => async () => {
    reads++;
    const promotion = await store.get(id);
    if (promotion === undefined) throw new NotFoundError('promotion', id);
    return `${promotion.version}/${(await store.events(id)).length}`;
  };
  return { bus, store, read, reads: () => reads };
}

describe('read cache', () => {
  it('keeps a body per key until the promotion changes, then reads afresh', async () => {
    const { store, read, reads } = world();
    const cache = createReadCache(store);
    const created = await store.create(aPromotion(), [anEvent('created')]);
    expect(await cache.body('p-1', 'a', read('p-1'))).toBe('1/1');
    expect(await cache.body('p-1', 'a', read('p-1'))).toBe('1/1');
    expect(await cache.body('p-1', 'b', read('p-1'))).toBe('1/1');
    expect(reads()).toBe(2);

    await store.appendEvents('p-1', [anEvent('refused')]);
    expect(await cache.body('p-1', 'a', read('p-1'))).toBe('1/2');
    await store.update(created, [anEvent('stage')]);
    expect(await cache.body('p-1', 'a', read('p-1'))).toBe('2/3');
    expect(await cache.body('p-1', 'b', read('p-1'))).toBe('2/3');
    expect(reads()).toBe(5);
  });

  it('answers but does not keep a body read while the promotion changed', async () => {
    const { store, read } = world();
    const cache = createReadCache(store);
    const created = await store.create(aPromotion(), []);
    const racing = await cache.body('p-1', 'a', async () => {
      const body = await read('p-1')();
      await store.update(created, [anEvent('meanwhile')]);
      return body;
    });
    expect(racing).toBe('1/0');
    expect(await cache.body('p-1', 'a', read('p-1'))).toBe('2/1');
  });

  it('watches only promotions it keeps bodies of, at most its limit of them', async () => {
    const { bus, store, read } = world();
    const cache = createReadCache(store, { promotions: 2, keysPerPromotion: 2 });
    for (const id of ['a', 'b', 'c']) await store.create(aPromotion({ id, platform: id }), []);
    await expect(cache.body('ghost', 'k', read('ghost'))).rejects.toBeInstanceOf(NotFoundError);
    expect(bus.listenerCount()).toBe(0);
    for (const id of ['a', 'b', 'c']) await cache.body(id, 'k', read(id));
    expect(cache.size()).toBe(2);
    expect(bus.listenerCount()).toBe(2);
    // A change drops the promotion's bodies and its watch.
    await store.appendEvents('c', [anEvent('x')]);
    expect(cache.size()).toBe(1);
    expect(bus.listenerCount()).toBe(1);
  });
});
