import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActivePromotionExistsError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
} from '../../../src/domain/errors.js';
import type { Promotion, PromotionEvent } from '../../../src/domain/promotion.js';
import type { StoreChange } from '../../../src/store/changes.js';
import type { PromotionStore } from '../../../src/store/store.js';
import { anEvent, aPromotion, finished, storeNow } from './fixtures.js';

export interface OpenedStore {
  readonly store: PromotionStore;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every PromotionStore must have. `open` must return an empty store whose clock is
 * `storeNow` (from ./fixtures.js); `cleanup` must tolerate a store the test already closed.
 */
export function promotionStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name}: PromotionStore contract`, () => {
    let store: PromotionStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const opened = await open();
      store = opened.store;
      cleanup = () => opened.cleanup();
    });
    afterEach(async () => {
      await cleanup();
    });

    const ids = (promotions: readonly Promotion[]) => promotions.map((p) => p.id);

    /** Writes the promotion and then moves it to `phase` with a second write (the only way to get there). */
    async function stored(promotion: Promotion, phase?: Promotion['phase']): Promise<Promotion> {
      const created = await store.create(promotion, [anEvent('created')]);
      return phase ? store.update({ ...created, phase }, [anEvent(phase)]) : created;
    }

    it('creates a promotion at version 1 and reads it back unchanged', async () => {
      const promotion = aPromotion();
      const created = await store.create(promotion, [anEvent('created')]);
      expect(created).toEqual({ ...promotion, version: 1 });
      expect(await store.get(promotion.id)).toEqual(created);
      expect(await store.get('no-such-promotion')).toBeUndefined();
    });

    it('lists newest first, filtered by platform and phase, with limit and offset', async () => {
      await stored(
        aPromotion({ id: 'p1', platform: 'payments', createdAt: '2031-01-01T00:00:00.000Z' }),
        'succeeded',
      );
      await stored(aPromotion({ id: 'p2', platform: 'search', createdAt: '2031-01-02T00:00:00.000Z' }));
      await stored(aPromotion({ id: 'p3', platform: 'payments', createdAt: '2031-01-03T00:00:00.000Z' }));
      await stored(
        aPromotion({ id: 'p4', platform: 'billing', createdAt: '2031-01-04T00:00:00.000Z' }),
        'paused',
      );

      expect(ids(await store.list())).toEqual(['p4', 'p3', 'p2', 'p1']);
      expect(ids(await store.list({ platform: 'payments' }))).toEqual(['p3', 'p1']);
      expect(ids(await store.list({ phase: 'running' }))).toEqual(['p3', 'p2']);
      expect(ids(await store.list({ platform: 'payments', phase: 'succeeded' }))).toEqual(['p1']);
      expect(ids(await store.list({ platform: 'nowhere' }))).toEqual([]);
      expect(ids(await store.list({ limit: 2 }))).toEqual(['p4', 'p3']);
      expect(ids(await store.list({ limit: 2, offset: 1 }))).toEqual(['p3', 'p2']);
      expect(ids(await store.list({ offset: 3 }))).toEqual(['p1']);
      await expect(store.list({ limit: -1 })).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('lists at most 50 by default and orders equal creation times by insertion', async () => {
      for (let i = 0; i < 52; i++)
        await store.create(aPromotion({ id: `p${i}`, platform: `platform-${i}` }), []);
      const listed = await store.list();
      expect(listed).toHaveLength(50);
      expect(listed[0]?.id).toBe('p51');
      expect(ids(await store.active()).slice(0, 2)).toEqual(['p0', 'p1']);
    });

    it('gives every unfinished promotion oldest first, and the latest one per platform', async () => {
      // Created later but started earlier: latestForPlatform must still prefer it while it is active.
      await stored(
        aPromotion({ id: 'old-done', platform: 'payments', createdAt: '2031-01-05T00:00:00.000Z' }),
        'succeeded',
      );
      const running = await stored(
        aPromotion({ id: 'running', platform: 'payments', createdAt: '2031-01-02T00:00:00.000Z' }),
      );
      await stored(
        aPromotion({ id: 'paused', platform: 'search', createdAt: '2031-01-01T00:00:00.000Z' }),
        'paused',
      );
      await stored(
        aPromotion({ id: 'rolled-back', platform: 'billing', createdAt: '2031-01-03T00:00:00.000Z' }),
        'rolled-back',
      );

      expect(ids(await store.active())).toEqual(['paused', 'running']);
      expect((await store.latestForPlatform('payments'))?.id).toBe('running');
      expect((await store.latestForPlatform('billing'))?.id).toBe('rolled-back');
      expect(await store.latestForPlatform('nowhere')).toBeUndefined();

      await store.update(finished(running), [anEvent('succeeded')]);
      expect((await store.latestForPlatform('payments'))?.id).toBe('old-done');
      expect(ids(await store.active())).toEqual(['paused']);
    });

    it('rejects a second active promotion for a platform and stores nothing of it', async () => {
      await store.create(aPromotion({ id: 'first' }), [anEvent('created')]);
      const second = store.create(aPromotion({ id: 'second' }), [anEvent('created')]);
      await expect(second).rejects.toBeInstanceOf(ActivePromotionExistsError);
      await expect(second).rejects.toMatchObject({ platform: 'payments', activePromotionId: 'first' });
      expect(await store.get('second')).toBeUndefined();
      expect(await store.events('second')).toEqual([]);
      expect(ids(await store.list())).toEqual(['first']);
      // Another platform is not affected.
      await store.create(aPromotion({ id: 'other', platform: 'search' }), []);
    });

    it('accepts a new promotion once the platform’s active one has finished', async () => {
      const first = await store.create(aPromotion({ id: 'first' }), []);
      await store.update(finished(first), [anEvent('succeeded')]);
      const second = await store.create(
        aPromotion({ id: 'second', createdAt: '2031-01-02T00:00:00.000Z' }),
        [],
      );
      expect(second.version).toBe(1);
      expect(ids(await store.active())).toEqual(['second']);
    });

    it('refuses to reactivate a finished promotion while another is active', async () => {
      const first = await store.update(await store.create(aPromotion({ id: 'first' }), []), []);
      const done = await store.update(finished(first), []);
      await store.create(aPromotion({ id: 'second' }), []);
      const reopen = store.update({ ...done, phase: 'running' }, [anEvent('reopened')]);
      await expect(reopen).rejects.toMatchObject({
        name: 'ActivePromotionExistsError',
        activePromotionId: 'second',
      });
      expect(await store.get('first')).toEqual(done);
    });

    it('rejects a duplicate id with ConflictError', async () => {
      const first = await store.create(aPromotion({ id: 'same' }), []);
      await expect(store.create(aPromotion({ id: 'same' }), [])).rejects.toBeInstanceOf(ConflictError);
      await expect(store.create(aPromotion({ id: 'same', platform: 'search' }), [])).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.get('same')).toEqual(first);
    });

    it('lets exactly one of two writes based on the same version win', async () => {
      const created = await store.create(aPromotion(), [anEvent('created')]);
      const paused: Promotion = { ...created, phase: 'paused', pauseReason: 'by hand' };
      const advanced: Promotion = { ...created, currentStage: 'foundation' };
      const results = await Promise.allSettled([
        store.update(paused, [anEvent('paused')]),
        store.update(advanced, [anEvent('advanced', { stage: 'foundation' })]),
      ]);

      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      const winner = won[0] === 0 ? paused : advanced;
      const loser = results.find((r) => r.status === 'rejected');
      expect(loser?.reason).toBeInstanceOf(ConflictError);

      const expected = { ...winner, version: 2, updatedAt: storeNow.toISOString() };
      expect(results[won[0] ?? 0]).toEqual({ status: 'fulfilled', value: expected });
      expect(await store.get(created.id)).toEqual(expected);
      const types = (await store.events(created.id)).map((e) => e.type);
      expect(types).toEqual(['created', winner === paused ? 'paused' : 'advanced']);

      // The loser's version is now stale for good; writing on top of the winner works.
      await expect(store.update(advanced, [])).rejects.toBeInstanceOf(ConflictError);
      expect((await store.update(expected, [])).version).toBe(3);
    });

    it('rejects an update of an unknown promotion with NotFoundError', async () => {
      const ghost = { ...aPromotion({ id: 'ghost' }), version: 1 };
      await expect(store.update(ghost, [anEvent('x')])).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.events('ghost')).toEqual([]);
    });

    it('appends events in order with increasing seq and streams those after a seq', async () => {
      const created = await store.create(aPromotion(), [
        anEvent('created'),
        anEvent('planned', { steps: 3 }),
      ]);
      await store.create(aPromotion({ id: 'other', platform: 'search' }), [anEvent('other')]);
      await store.appendEvents(created.id, [
        anEvent('refused', { reason: 'busy', nested: { list: [1, 2] } }),
      ]);
      await store.update(created, [anEvent('stage-started')]);

      const all = await store.events(created.id);
      expect(all.map((e) => e.type)).toEqual(['created', 'planned', 'refused', 'stage-started']);
      const seqs = all.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(all[2]).toEqual<PromotionEvent>({
        seq: all[2]?.seq ?? -1,
        promotionId: created.id,
        at: storeNow.toISOString(),
        type: 'refused',
        message: 'refused happened',
        actor: 'alice',
        data: { reason: 'busy', nested: { list: [1, 2] } },
      });
      expect(all[0]).not.toHaveProperty('data');

      expect((await store.events(created.id, all[1]?.seq)).map((e) => e.type)).toEqual([
        'refused',
        'stage-started',
      ]);
      expect(await store.events(created.id, all[3]?.seq)).toEqual([]);
      expect(await store.events('no-such-promotion')).toEqual([]);
    });

    it('pages events: the newest page by default, forward pages after a seq, with the total', async () => {
      const created = await store.create(aPromotion(), [anEvent('e1'), anEvent('e2')]);
      await store.create(aPromotion({ id: 'other', platform: 'search' }), [anEvent('other')]);
      await store.appendEvents(created.id, [anEvent('e3'), anEvent('e4')]);
      await store.update(created, [anEvent('e5')]);
      const all = await store.events(created.id);
      const types = (page: { events: readonly PromotionEvent[] }) => page.events.map((e) => e.type);

      const newest = await store.eventPage(created.id, { limit: 2 });
      expect(types(newest)).toEqual(['e4', 'e5']);
      expect(newest.total).toBe(5);
      expect(types(await store.eventPage(created.id, { limit: 50 }))).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);

      // Paging forward from 0 visits every event once, in order.
      const visited: PromotionEvent[] = [];
      let after = 0;
      for (;;) {
        const page = await store.eventPage(created.id, { afterSeq: after, limit: 2 });
        visited.push(...page.events);
        if (page.events.length < 2) break;
        after = page.events.at(-1)?.seq ?? after;
      }
      expect(visited).toEqual(all);

      expect(await store.eventPage(created.id, { afterSeq: all[4]?.seq ?? 0, limit: 2 })).toEqual({
        events: [],
        total: 5,
      });
      expect(await store.eventPage(created.id, { limit: 0 })).toEqual({ events: [], total: 5 });
      expect(await store.eventPage('ghost', { limit: 10 })).toEqual({ events: [], total: 0 });
      await expect(store.eventPage(created.id, { limit: -1 })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(store.eventPage(created.id, { afterSeq: 1.5, limit: 1 })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });

    it('tells watchers of a promotion after each committed write, and never of a failed one', async () => {
      const seen: StoreChange[] = [];
      const stop = store.watch('p-1', (change) => seen.push(change));
      const others: StoreChange[] = [];
      const stopOthers = store.watch('other', (change) => others.push(change));
      const created = await store.create(aPromotion(), [anEvent('created')]);
      // Told after the commit: what the watcher reads then includes the write. (Awaited below: a store
      // behind a network answers the read later than the write returns.)
      const readInListener: number[] = [];
      const reads: Promise<unknown>[] = [];
      const stopReader = store.watch('p-1', () => {
        reads.push(store.events('p-1').then((events) => readInListener.push(events.length)));
      });
      await store.appendEvents(created.id, [anEvent('refused')]);
      await store.appendEvents(created.id, []);
      const updated = await store.update(created, [anEvent('stage')]);
      // A stale write (compare-and-swap fails) and a refused create change nothing and tell nobody.
      await expect(store.update(created, [anEvent('stale')])).rejects.toBeInstanceOf(ConflictError);
      await expect(store.create(aPromotion(), [])).rejects.toBeInstanceOf(ConflictError);
      await expect(store.appendEvents('ghost', [anEvent('x')])).rejects.toBeInstanceOf(NotFoundError);
      await store.update({ ...updated, phase: 'succeeded' }, [anEvent('done')]);
      stopReader();
      expect(seen).toEqual([
        { promotionId: 'p-1', finished: false },
        { promotionId: 'p-1', finished: false },
        { promotionId: 'p-1', finished: false },
        { promotionId: 'p-1', finished: true },
      ]);
      await Promise.all(reads);
      expect(readInListener).toEqual([2, 3, 4]);
      expect(others).toEqual([]);

      stop();
      stopOthers();
      await store.appendEvents(created.id, [anEvent('after')]);
      expect(seen).toHaveLength(4);
    });

    it('appends events without touching the record', async () => {
      const created = await store.create(aPromotion(), []);
      await store.appendEvents(created.id, [anEvent('refused')]);
      expect(await store.get(created.id)).toEqual(created);
      expect((await store.update(created, [])).version).toBe(2);
      await expect(store.appendEvents('ghost', [anEvent('x')])).rejects.toBeInstanceOf(NotFoundError);
    });

    it('hands out copies: mutating what goes in or comes out changes nothing stored', async () => {
      const input = aPromotion();
      const event = anEvent('created', { note: 'original' });
      const created = await store.create(input, [event]);
      const snapshot = structuredClone(created);
      scribble(input);
      (event.data as Record<string, unknown>).note = 'changed';
      scribble(created);
      const read = [
        await store.get(snapshot.id),
        ...(await store.list()),
        ...(await store.active()),
        await store.latestForPlatform(snapshot.platform),
      ];
      for (const p of read) if (p) scribble(p);
      expect(await store.get(snapshot.id)).toEqual(snapshot);

      const updated = await store.update(snapshot, []);
      const updatedSnapshot = structuredClone(updated);
      scribble(updated);
      expect(await store.get(snapshot.id)).toEqual(updatedSnapshot);

      const [first] = await store.events(snapshot.id);
      (first?.data as Record<string, unknown>).note = 'scribbled';
      expect((await store.events(snapshot.id))[0]?.data).toEqual({ note: 'original' });
    });

    it('keeps an append-only audit log, newest first, with or without a promotion', async () => {
      await store.appendAudit({
        actor: 'alice',
        action: 'POST /v1/promotions',
        status: 404,
        outcome: 'refused',
        detail: 'unknown platform',
      });
      await store.appendAudit({
        actor: 'bob',
        action: 'POST /v1/promotions/p-9/pause',
        promotionId: 'p-9',
        status: 200,
        outcome: 'ok',
      });
      const entries = await store.audit();
      expect(entries).toEqual([
        {
          seq: 2,
          at: storeNow.toISOString(),
          actor: 'bob',
          action: 'POST /v1/promotions/p-9/pause',
          promotionId: 'p-9',
          status: 200,
          outcome: 'ok',
        },
        {
          seq: 1,
          at: storeNow.toISOString(),
          actor: 'alice',
          action: 'POST /v1/promotions',
          status: 404,
          outcome: 'refused',
          detail: 'unknown platform',
        },
      ]);
      expect(await store.audit(1)).toEqual([entries[0]]);
    });

    it('keeps the first record of a platform: a later one never replaces it', async () => {
      expect(await store.platform('shop')).toBeUndefined();
      const first = {
        name: 'shop',
        initial: { slot: 'a', cluster: 'shop-a' },
        firstSeenAt: storeNow.toISOString(),
      } as const;
      expect(await store.recordPlatform(first)).toEqual({ record: first, created: true });
      const changed = { ...first, initial: { slot: 'b', cluster: 'shop-b' } } as const;
      expect(await store.recordPlatform(changed)).toEqual({ record: first, created: false });
      expect(await store.platform('shop')).toEqual(first);
      expect(await store.platform('payments')).toBeUndefined();
    });

    it('rejects use after close', async () => {
      await store.close();
      await expect(store.get('p-1')).rejects.toThrow(/closed/);
      await store.close();
    });
  });
}

/** Changes a promotion in place at several depths, as a careless caller might. */
function scribble(promotion: Promotion): void {
  const p = promotion as unknown as {
    phase: string;
    stages: { provision: { message: string } };
    traffic: { history: unknown[] };
    plan: { steps: unknown[] };
  };
  p.phase = 'scribbled';
  p.stages.provision.message = 'scribbled';
  p.traffic.history.push({ scribbled: true });
  p.plan.steps.length = 0;
}
