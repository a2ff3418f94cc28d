import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../src/domain/errors.js';
import type { FleetEvent, FleetRun } from '../../../src/domain/fleet.js';
import type { StoreChange } from '../../../src/store/changes.js';
import type { FleetRunStore } from '../../../src/store/fleet-store.js';
import type { PromotionStore } from '../../../src/store/store.js';
import type { OpenedStore } from './contract.js';
import { storeNow } from './fixtures.js';
import { aFleetEvent, aFleetRun } from './fleet-fixtures.js';

/**
 * The behaviour every store's `fleets` must have. `open` must return an empty store whose clock is
 * `storeNow` (from ./fixtures.js); `cleanup` must tolerate a store the test already closed.
 */
export function fleetRunStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name}: FleetRunStore contract`, () => {
    let store: PromotionStore;
    let fleets: FleetRunStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const opened = await open();
      store = opened.store;
      fleets = store.fleets;
      cleanup = () => opened.cleanup();
    });
    afterEach(async () => {
      await cleanup();
    });

    const ids = (runs: readonly FleetRun[]) => runs.map((r) => r.id);
    const types = (events: readonly FleetEvent[]) => events.map((e) => e.type);

    /** Writes the run and then moves it to `state` with a second write (as the fleet layer would). */
    async function stored(run: FleetRun, state?: FleetRun['state']): Promise<FleetRun> {
      const created = await fleets.createRun(run, [aFleetEvent('fleet.created')]);
      return state ? fleets.updateRun({ ...created, state }, [aFleetEvent('fleet.finished')]) : created;
    }

    it('creates a run at version 1 and reads it back unchanged', async () => {
      const run = aFleetRun();
      const created = await fleets.createRun(run, [aFleetEvent('fleet.created')]);
      expect(created).toEqual({ ...run, version: 1 });
      expect(await fleets.getRun(run.id)).toEqual(created);
      expect(await fleets.getRun('no-such-run')).toBeUndefined();
    });

    it('rejects a duplicate id with ConflictError and keeps the first run and its events', async () => {
      const created = await fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
      const again = { ...aFleetRun(), targetVersion: '1.32' };
      await expect(fleets.createRun(again, [aFleetEvent('fleet.paused')])).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await fleets.getRun(created.id)).toEqual(created);
      expect(types(await fleets.runEvents(created.id))).toEqual(['fleet.created']);
    });

    it('lists newest first, filtered by state, with limit and offset; equal times by id', async () => {
      await stored(aFleetRun({ id: 'r1', createdAt: '2031-01-01T00:00:00.000Z' }), 'succeeded');
      await stored(aFleetRun({ id: 'r2', createdAt: '2031-01-02T00:00:00.000Z' }));
      await stored(aFleetRun({ id: 'r3', createdAt: '2031-01-03T00:00:00.000Z' }), 'paused');
      await stored(aFleetRun({ id: 'r4', createdAt: '2031-01-04T00:00:00.000Z' }));

      expect(ids(await fleets.listRuns())).toEqual(['r4', 'r3', 'r2', 'r1']);
      expect(ids(await fleets.listRuns({ state: 'running' }))).toEqual(['r4', 'r2']);
      expect(ids(await fleets.listRuns({ state: 'succeeded' }))).toEqual(['r1']);
      expect(ids(await fleets.listRuns({ state: 'aborted' }))).toEqual([]);
      expect(ids(await fleets.listRuns({ limit: 2 }))).toEqual(['r4', 'r3']);
      expect(ids(await fleets.listRuns({ limit: 2, offset: 1 }))).toEqual(['r3', 'r2']);
      expect(ids(await fleets.listRuns({ state: 'running', offset: 1 }))).toEqual(['r2']);
      await expect(fleets.listRuns({ limit: -1 })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(fleets.listRuns({ offset: 0.5 })).rejects.toBeInstanceOf(InvalidInputError);

      // Created in the same millisecond: the id decides, the same way on every read.
      const at = '2031-01-05T00:00:00.000Z';
      await stored(aFleetRun({ id: 'r6', createdAt: at }));
      await stored(aFleetRun({ id: 'r5', createdAt: at }));
      expect(ids(await fleets.listRuns({ limit: 2 }))).toEqual(['r6', 'r5']);
    });

    it('gives every unfinished run oldest first, and none once it finished', async () => {
      expect(await fleets.activeRuns()).toEqual([]);
      await stored(aFleetRun({ id: 'r1', createdAt: '2031-01-03T00:00:00.000Z' }), 'paused');
      await stored(aFleetRun({ id: 'r2', createdAt: '2031-01-01T00:00:00.000Z' }), 'stopping');
      await stored(aFleetRun({ id: 'r3', createdAt: '2031-01-02T00:00:00.000Z' }));
      await stored(aFleetRun({ id: 'r4', createdAt: '2031-01-01T12:00:00.000Z' }), 'failed');
      await stored(aFleetRun({ id: 'r5', createdAt: '2031-01-01T13:00:00.000Z' }), 'aborted');
      const active = await fleets.activeRuns();
      expect(ids(active)).toEqual(['r2', 'r3', 'r1']);
      expect(active[0]).toEqual(await fleets.getRun('r2'));

      const r3 = await fleets.getRun('r3');
      if (!r3) throw new Error('r3 was not stored');
      await fleets.updateRun({ ...r3, state: 'succeeded', finishedAt: storeNow.toISOString() }, []);
      expect(ids(await fleets.activeRuns())).toEqual(['r2', 'r1']);
    });

    it('lets exactly one of two writes based on the same version win', async () => {
      const created = await fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
      const paused: FleetRun = { ...created, state: 'paused', reason: 'freeze' };
      const started: FleetRun = {
        ...created,
        members: created.members.map((m) => (m.platform === 'dev-a' ? { ...m, state: 'promoting' } : m)),
      };
      const results = await Promise.allSettled([
        fleets.updateRun(paused, [aFleetEvent('fleet.paused')]),
        fleets.updateRun(started, [aFleetEvent('fleet.member.started', { platform: 'dev-a' })]),
      ]);

      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      const winner = won[0] === 0 ? paused : started;
      const loser = results.find((r) => r.status === 'rejected');
      expect(loser?.reason).toBeInstanceOf(ConflictError);

      const expected = { ...winner, version: 2, updatedAt: storeNow.toISOString() };
      expect(results[won[0] ?? 0]).toEqual({ status: 'fulfilled', value: expected });
      expect(await fleets.getRun(created.id)).toEqual(expected);
      expect(types(await fleets.runEvents(created.id))).toEqual([
        'fleet.created',
        winner === paused ? 'fleet.paused' : 'fleet.member.started',
      ]);

      // The loser's version is stale for good; writing on top of the winner works.
      await expect(fleets.updateRun(started, [])).rejects.toBeInstanceOf(ConflictError);
      expect((await fleets.updateRun(expected, [])).version).toBe(3);
    });

    it('rejects an update of an unknown run with NotFoundError', async () => {
      const ghost = { ...aFleetRun({ id: 'ghost' }), version: 1 };
      await expect(fleets.updateRun(ghost, [aFleetEvent('fleet.paused')])).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await fleets.getRun('ghost')).toBeUndefined();
      expect(await fleets.runEvents('ghost')).toEqual([]);
    });

    it('appends events in order with increasing seq and gives those after a seq', async () => {
      const created = await fleets.createRun(aFleetRun(), [
        aFleetEvent('fleet.created'),
        aFleetEvent('fleet.stage.started', { stage: 'dev' }),
      ]);
      await fleets.createRun(aFleetRun({ id: 'other' }), [aFleetEvent('fleet.created')]);
      const updated = await fleets.updateRun(created, [
        aFleetEvent('fleet.member.start-failed', { platform: 'dev-a', nested: { attempts: [1, 2] } }),
      ]);
      await fleets.updateRun(updated, [aFleetEvent('fleet.member.started')]);

      const all = await fleets.runEvents(created.id);
      expect(types(all)).toEqual([
        'fleet.created',
        'fleet.stage.started',
        'fleet.member.start-failed',
        'fleet.member.started',
      ]);
      const seqs = all.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(all[2]).toEqual<FleetEvent>({
        seq: all[2]?.seq ?? -1,
        runId: created.id,
        at: storeNow.toISOString(),
        type: 'fleet.member.start-failed',
        message: 'fleet.member.start-failed happened',
        actor: 'alice',
        data: { platform: 'dev-a', nested: { attempts: [1, 2] } },
      });
      expect(all[0]).not.toHaveProperty('data');

      expect(types(await fleets.runEvents(created.id, all[1]?.seq))).toEqual([
        'fleet.member.start-failed',
        'fleet.member.started',
      ]);
      expect(await fleets.runEvents(created.id, all[3]?.seq)).toEqual([]);
      expect(types(await fleets.runEvents('other'))).toEqual(['fleet.created']);
      expect(await fleets.runEvents('no-such-run')).toEqual([]);
    });

    it('tells watchers of a run after each committed write, and never of a failed one', async () => {
      const seen: StoreChange[] = [];
      const stop = fleets.watchRun('fr-1', (change) => seen.push(change));
      const others: StoreChange[] = [];
      const stopOthers = fleets.watchRun('other', (change) => others.push(change));
      // Runs and promotions are told apart even when an id is the same.
      const promotionWatcher: StoreChange[] = [];
      const stopPromotion = store.watch('fr-1', (change) => promotionWatcher.push(change));

      const created = await fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
      // Told after the commit: what the watcher reads then includes the write. (Awaited below: a store
      // behind a network answers the read later than the write returns.)
      const readInListener: number[] = [];
      const reads: Promise<unknown>[] = [];
      const stopReader = fleets.watchRun('fr-1', () => {
        reads.push(fleets.runEvents('fr-1').then((events) => readInListener.push(events.length)));
      });
      const paused = await fleets.updateRun({ ...created, state: 'paused' }, [aFleetEvent('fleet.paused')]);
      // A stale write and a duplicate create change nothing and tell nobody.
      await expect(fleets.updateRun(created, [aFleetEvent('fleet.resumed')])).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(fleets.createRun(aFleetRun(), [])).rejects.toBeInstanceOf(ConflictError);
      await fleets.updateRun({ ...paused, state: 'aborted' }, [aFleetEvent('fleet.finished')]);
      stopReader();
      expect(seen).toEqual([
        { promotionId: 'fr-1', finished: false },
        { promotionId: 'fr-1', finished: false },
        { promotionId: 'fr-1', finished: true },
      ]);
      await Promise.all(reads);
      expect(readInListener).toEqual([2, 3]);
      expect(others).toEqual([]);
      expect(promotionWatcher).toEqual([]);

      stop();
      stopOthers();
      stopPromotion();
      const last = await fleets.getRun('fr-1');
      if (!last) throw new Error('fr-1 was not stored');
      await fleets.updateRun(last, []);
      expect(seen).toHaveLength(3);
    });

    it('hands out copies: mutating what goes in or comes out changes nothing stored', async () => {
      const input = aFleetRun();
      const event = aFleetEvent('fleet.created', { note: 'original' });
      const created = await fleets.createRun(input, [event]);
      const snapshot = structuredClone(created);
      scribble(input);
      (event.data as Record<string, unknown>).note = 'changed';
      scribble(created);
      const read = [
        await fleets.getRun(snapshot.id),
        ...(await fleets.listRuns()),
        ...(await fleets.activeRuns()),
      ];
      for (const run of read) if (run) scribble(run);
      expect(await fleets.getRun(snapshot.id)).toEqual(snapshot);

      const next = structuredClone(snapshot);
      const updated = await fleets.updateRun(next, []);
      const updatedSnapshot = structuredClone(updated);
      scribble(next);
      scribble(updated);
      expect(await fleets.getRun(snapshot.id)).toEqual(updatedSnapshot);

      const [first] = await fleets.runEvents(snapshot.id);
      (first?.data as Record<string, unknown>).note = 'scribbled';
      expect((await fleets.runEvents(snapshot.id))[0]?.data).toEqual({ note: 'original' });
    });

    it('rejects use after close', async () => {
      await fleets.createRun(aFleetRun(), []);
      await store.close();
      await expect(fleets.getRun('fr-1')).rejects.toThrow(/closed/);
      await expect(fleets.createRun(aFleetRun({ id: 'fr-2' }), [])).rejects.toThrow(/closed/);
    });
  });
}

/** Changes a run in place at several depths, as a careless caller might. */
function scribble(run: FleetRun): void {
  const r = run as unknown as {
    state: string;
    members: { state: string }[];
    stages: { gates: unknown[] }[];
    strategy: { stages: { selector: Record<string, string> }[] };
  };
  r.state = 'scribbled';
  const [member] = r.members;
  if (member) member.state = 'scribbled';
  r.stages[1]?.gates.push('scribbled');
  const [stage] = r.strategy.stages;
  if (stage) stage.selector.env = 'scribbled';
}
