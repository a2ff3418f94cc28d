import { expect, it } from 'vitest';
import { ConflictError, InvalidInputError } from '../../src/domain/errors.js';
import type { FleetRun } from '../../src/domain/fleet.js';
import type { StoreChange } from '../../src/store/changes.js';
import { FencedError } from '../../src/store/errors.js';
import { fleetEventChunkName, sealFleetChunk } from '../../src/store/kubernetes/fleet-event-chunks.js';
import {
  decodeFleetRun,
  fleetRunLabel,
  fleetRunName,
  fleetStateLabel,
} from '../../src/store/kubernetes/fleet-objects.js';
import { fleetRunStoreContract } from '../unit/store/fleet-contract.js';
import { aFleetEvent, aFleetRun } from '../unit/store/fleet-fixtures.js';
import { describeWithServers } from './environment.js';
import { kubernetesStoreSandbox } from './support/kubernetes-store-sandbox.js';
import { waitFor } from './support/wait-for.js';

describeWithServers('Kubernetes FleetRunStore (sandbox apiserver, context green)', () => {
  const { core, freshNamespace, replica } = kubernetesStoreSandbox();

  fleetRunStoreContract('kubernetes store', async () => {
    const store = await replica(await freshNamespace());
    return { store, cleanup: () => store.close() };
  });

  it('keeps a run in one labelled ConfigMap: the record, its version and the whole event log', async () => {
    const namespace = await freshNamespace();
    const { fleets } = await replica(namespace);
    const created = await fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    const paused = await fleets.updateRun({ ...created, state: 'paused' }, [aFleetEvent('fleet.paused')]);

    const map = await core.readNamespacedConfigMap({ namespace, name: fleetRunName(created.id) });
    expect(map.metadata?.name).toBe('switchyard-fleet.fr-1');
    expect(map.metadata?.labels).toMatchObject({ [fleetRunLabel]: 'fr-1', [fleetStateLabel]: 'paused' });
    expect(map.data?.version).toBe('2');
    expect(map.data?.nextSeq).toBe('3');
    const decoded = decodeFleetRun(map);
    expect(decoded.record).toEqual(paused);
    expect(decoded.tail.map((e) => [e.seq, e.type])).toEqual([
      [1, 'fleet.created'],
      [2, 'fleet.paused'],
    ]);
    // What `kubectl get configmaps -l switchyard.dev/fleet-run` shows: the runs and nothing else.
    const listed = await core.listNamespacedConfigMap({ namespace, labelSelector: fleetRunLabel });
    expect(listed.items.map((m) => m.metadata?.name)).toEqual(['switchyard-fleet.fr-1']);
  });

  it('refuses a run id that cannot name a ConfigMap as invalid input, storing nothing', async () => {
    const { fleets } = await replica(await freshNamespace());
    await expect(fleets.createRun(aFleetRun({ id: 'Not_A_Name' }), [])).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(await fleets.listRuns()).toEqual([]);
  });

  it('seals older events in immutable chunks beside the run, and reads them back in order', async () => {
    const namespace = await freshNamespace();
    const { fleets } = await replica(namespace, { entriesPerChunk: 3 });
    let run = await fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    for (let i = 2; i <= 8; i++) run = await fleets.updateRun(run, [aFleetEvent('fleet.paused', { i })]);

    const all = await fleets.runEvents(run.id);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(all.slice(1).map((e) => e.data)).toEqual([2, 3, 4, 5, 6, 7, 8].map((i) => ({ i })));
    for (const after of [0, 2, 3, 4, 6, 7, 8]) {
      expect(
        (await fleets.runEvents(run.id, after)).map((e) => e.seq),
        `after ${after}`,
      ).toEqual(all.filter((e) => e.seq > after).map((e) => e.seq));
    }

    // Sealed before the writes that dropped them from the run: seqs 1-3 and 4-6, immutable, owned by it.
    const map = await core.readNamespacedConfigMap({ namespace, name: fleetRunName(run.id) });
    const stored = decodeFleetRun(map);
    expect(stored.sealed).toEqual([
      { index: 1, lastSeq: 3 },
      { index: 2, lastSeq: 6 },
    ]);
    expect(stored.tail.map((e) => e.seq)).toEqual([7, 8]);
    const chunk = await core.readNamespacedConfigMap({ namespace, name: fleetEventChunkName(run.id, 2) });
    expect(chunk.immutable).toBe(true);
    expect(chunk.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ConfigMap', uid: map.metadata?.uid });
    expect((JSON.parse(chunk.data?.events ?? '[]') as { seq: number }[]).map((e) => e.seq)).toEqual([
      4, 5, 6,
    ]);
    // The chunks are no runs: lists and the active runs show the run once.
    expect((await fleets.listRuns()).map((r) => r.id)).toEqual([run.id]);
    expect((await fleets.activeRuns()).map((r) => r.id)).toEqual([run.id]);
  });

  it('reads and writes on after a write that sealed a chunk and then crashed', async () => {
    const namespace = await freshNamespace();
    const { fleets } = await replica(namespace, { entriesPerChunk: 3 });
    let run = await fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    for (let i = 2; i <= 3; i++) run = await fleets.updateRun(run, [aFleetEvent('fleet.paused', { i })]);
    const committed = await fleets.runEvents(run.id);
    // What a writer does before its write of the run, then crashes: chunk 1 sealed, the tail still whole.
    const map = await core.readNamespacedConfigMap({ namespace, name: fleetRunName(run.id) });
    await sealFleetChunk(core, namespace, map, run.id, { index: 1, events: committed });

    expect(await fleets.runEvents(run.id)).toEqual(committed);
    // The next write finds the chunk already there, with the same events, and goes on.
    run = await fleets.updateRun(run, [aFleetEvent('fleet.resumed')]);
    expect((await fleets.runEvents(run.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(
      decodeFleetRun(await core.readNamespacedConfigMap({ namespace, name: fleetRunName(run.id) })).sealed,
    ).toEqual([{ index: 1, lastSeq: 3 }]);

    // A chunk holding anything else is refused, not overwritten or taken for the committed events.
    const other = committed.map((e) => ({ ...e, message: 'not what was committed' }));
    await expect(sealFleetChunk(core, namespace, map, run.id, { index: 1, events: other })).rejects.toThrow(
      /other events than the committed ones/,
    );
  });

  it('fences runs as promotions: a newer leader’s epoch stops an older leader’s writes, followers still write', async () => {
    const namespace = await freshNamespace();
    let superseded = 0;
    const old = await replica(namespace, { epoch: () => 3, onSuperseded: () => superseded++ });
    const leader = await replica(namespace, { epoch: () => 4 });
    const follower = await replica(namespace);
    const epochOf = async (id: string) =>
      decodeFleetRun(await core.readNamespacedConfigMap({ namespace, name: fleetRunName(id) })).epoch;
    const created = await old.fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    const done = await old.fleets.createRun(aFleetRun({ id: 'fr-done', state: 'succeeded' }), []);
    expect(await epochOf(created.id)).toBe(3);

    await leader.fenceActive(4);
    expect(await epochOf(created.id)).toBe(4);
    // A finished run is left alone; the fence changes neither record, version nor events.
    expect(await epochOf(done.id)).toBe(3);
    expect(await leader.fleets.getRun(created.id)).toEqual(created);
    expect((await leader.fleets.runEvents(created.id)).map((e) => e.type)).toEqual(['fleet.created']);

    await expect(old.fleets.updateRun(created, [aFleetEvent('fleet.paused')])).rejects.toBeInstanceOf(
      FencedError,
    );
    expect(superseded).toBe(1);
    await expect(old.fenceActive(3)).rejects.toBeInstanceOf(FencedError);

    const byFollower = await follower.fleets.updateRun({ ...created, state: 'paused' }, [
      aFleetEvent('fleet.paused'),
    ]);
    expect(byFollower.version).toBe(2);
    expect(await epochOf(created.id)).toBe(4);
    expect((await leader.fleets.updateRun(byFollower, [])).version).toBe(3);
    expect((await leader.fleets.runEvents(created.id)).map((e) => e.type)).toEqual([
      'fleet.created',
      'fleet.paused',
    ]);
  });

  it('lets exactly one of two replicas writing the same version win', async () => {
    const namespace = await freshNamespace();
    const [a, b] = [await replica(namespace), await replica(namespace)];
    let run = await a.fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled([
        a.fleets.updateRun({ ...run, reason: `a-${round}` }, [aFleetEvent('fleet.paused')]),
        b.fleets.updateRun({ ...run, reason: `b-${round}` }, [aFleetEvent('fleet.resumed')]),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<FleetRun> => r.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ConflictError);
      run = won[0]?.value ?? run;
      expect(await b.fleets.getRun(run.id)).toEqual(run);
    }
    // One event per winning write, numbered without a gap.
    const events = await a.fleets.runEvents(run.id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(run.version).toBe(11);
  });

  it('tells a replica of another one’s writes as remote, and of its own once, as its own', async () => {
    const namespace = await freshNamespace();
    const [a, b] = [await replica(namespace), await replica(namespace)];
    const toldA: StoreChange[] = [];
    const toldB: StoreChange[] = [];
    a.fleets.watchRun('fr-1', (change) => toldA.push(change));
    b.fleets.watchRun('fr-1', (change) => toldB.push(change));
    // What a leader watches to wake runs a follower wrote, including runs it has not heard of yet.
    const everyRunB: StoreChange[] = [];
    b.fleets.watchAll((change) => everyRunB.push(change));

    const created = await a.fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    await waitFor(
      async () => (toldB.length > 0 ? true : undefined),
      'replica B to hear of A’s create',
      10_000,
    );
    const paused = await b.fleets.updateRun({ ...created, state: 'paused' }, [aFleetEvent('fleet.paused')]);
    // Finishing takes the run out of the watched (unfinished) runs: the watch says so as a deletion.
    const aborted = await b.fleets.updateRun({ ...paused, state: 'aborted' }, [
      aFleetEvent('fleet.finished'),
    ]);
    // A's watch delivers in the apiserver's order: once A hears of B's last write it has seen its own
    // create go by too, and told nobody of it a second time.
    await waitFor(async () => (toldA.length > 2 ? true : undefined), 'A to hear of B’s writes', 10_000);
    expect(toldA).toEqual([
      { promotionId: 'fr-1', finished: false },
      { promotionId: 'fr-1', finished: false, remote: true },
      { promotionId: 'fr-1', finished: true, remote: true },
    ]);
    expect(await a.fleets.getRun('fr-1')).toEqual(aborted);

    // Likewise B: once it hears of A's next run, its own writes have gone by on its watch.
    await a.fleets.createRun(aFleetRun({ id: 'fr-2' }), [aFleetEvent('fleet.created')]);
    await waitFor(async () => (everyRunB.length > 3 ? true : undefined), 'B to hear of run fr-2', 10_000);
    expect(toldB).toEqual([
      { promotionId: 'fr-1', finished: false, remote: true },
      { promotionId: 'fr-1', finished: false },
      { promotionId: 'fr-1', finished: true },
    ]);
    expect(everyRunB).toEqual([...toldB, { promotionId: 'fr-2', finished: false, remote: true }]);
  });
});
