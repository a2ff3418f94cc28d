import { expect, it } from 'vitest';
import { ActivePromotionExistsError, ConflictError } from '../../src/domain/errors.js';
import type { Promotion } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import type { StoreChange } from '../../src/store/changes.js';
import { FencedError } from '../../src/store/errors.js';
import { sealChunk } from '../../src/store/kubernetes/event-chunks.js';
import {
  claimName,
  eventChunkName,
  originAnnotation,
  platformLabel,
  promotionResources,
} from '../../src/store/kubernetes/objects.js';
import { openKubernetesStore } from '../../src/store/kubernetes/store.js';
import { promotionStoreContract } from '../unit/store/contract.js';
import { anEvent, aPromotion, storeNow } from '../unit/store/fixtures.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { kubernetesStoreSandbox } from './support/kubernetes-store-sandbox.js';
import { waitFor } from './support/wait-for.js';

// The green sandbox cluster plays the management cluster that holds Switchyard's own resources.
describeWithServers('Kubernetes PromotionStore (sandbox apiserver, context green)', () => {
  const { config, core, objects, freshNamespace, replica, read } = kubernetesStoreSandbox();

  promotionStoreContract('kubernetes store', async () => {
    const namespace = await freshNamespace();
    const store = await openKubernetesStore({ kubeConfig: config, namespace, now: () => storeNow });
    return { store, cleanup: () => store.close() };
  });

  it('lets exactly one of two replicas racing to start a promotion for a platform win', async () => {
    const namespace = await freshNamespace();
    const [a, b] = [await replica(namespace), await replica(namespace)];
    for (let round = 0; round < 10; round++) {
      const platform = `race-${round}`;
      const results = await Promise.allSettled([
        a.create(aPromotion({ id: `a-${round}`, platform }), [anEvent('created')]),
        b.create(aPromotion({ id: `b-${round}`, platform }), [anEvent('created')]),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(ActivePromotionExistsError);
      const winner = (won[0] as PromiseFulfilledResult<Promotion>).value.id;
      // A reads from its cache: B's win reaches it through the watch.
      const stored = await waitFor(async () => {
        const listed = await a.list({ platform });
        return listed.some((p) => p.id === winner) && listed;
      }, `replica A to see ${winner}`);
      expect(stored.map((p) => p.id)).toEqual([winner]);
    }
  });

  it('reads a log sealed by a write that crashed before trimming the tail once, and writes on', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace, { entriesPerChunk: 4 });
    const types = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'];
    const created = await store.create(
      aPromotion(),
      types.map((t) => anEvent(t)),
    );
    // What a writer does before its status write, then crashes: chunk 1 sealed, the tail still whole.
    const committed = await store.events(created.id);
    await sealChunk(core, namespace, await read(namespace, created.id), {
      index: 1,
      events: committed.slice(0, 4),
    });

    expect((await store.events(created.id)).map((e) => e.type)).toEqual(types);
    expect((await store.eventPage(created.id, { limit: 3 })).total).toBe(6);

    // The next write finds the chunk already there (the same events), trims the tail and goes on.
    const updated = await store.update(created, [anEvent('e7')]);
    const storage = (await read(namespace, created.id)).status?.storage;
    expect(storage?.sealedChunks).toBe(1);
    expect(JSON.parse(storage?.events ?? '[]').map((e: { seq: number }) => e.seq)).toEqual([5, 6, 7]);
    const all = await store.events(created.id);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all.map((e) => e.type)).toEqual([...types, 'e7']);
    expect((await store.eventPage(created.id, { afterSeq: 2, limit: 3 })).events.map((e) => e.seq)).toEqual([
      3, 4, 5,
    ]);
    const chunk = await core.readNamespacedConfigMap({ namespace, name: eventChunkName(created.id, 1) });
    expect(chunk.immutable).toBe(true);
    expect(chunk.metadata?.ownerReferences?.[0]?.kind).toBe('Promotion');

    // More appends seal chunk 2 in their turn.
    await store.appendEvents(created.id, [anEvent('e8'), anEvent('e9')]);
    await store.update(updated, [anEvent('e10')]);
    expect((await read(namespace, created.id)).status?.storage?.sealedChunks).toBe(2);
    expect((await store.events(created.id, 6)).map((e) => e.type)).toEqual(['e7', 'e8', 'e9', 'e10']);
  });

  it('refuses to seal a chunk over one holding other events', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace, { entriesPerChunk: 2 });
    const created = await store.create(aPromotion(), [anEvent('e1'), anEvent('e2')]);
    const [first] = await store.events(created.id);
    if (first === undefined) throw new Error('no event stored');
    await sealChunk(core, namespace, await read(namespace, created.id), {
      index: 1,
      events: [first, { ...first, seq: 2, type: 'forged' }],
    });
    await expect(store.update(created, [anEvent('e3')])).rejects.toThrow(/other events than the committed/);
    expect((await store.get(created.id))?.version).toBe(1);
  });

  it('fences: a newer leader’s epoch stops an older leader’s writes, followers still write', async () => {
    const namespace = await freshNamespace();
    let superseded = 0;
    const old = await replica(namespace, { epoch: () => 3, onSuperseded: () => superseded++ });
    const leader = await replica(namespace, { epoch: () => 4 });
    const follower = await replica(namespace);
    const created = await old.create(aPromotion(), []);
    expect((await read(namespace, created.id)).status?.storage?.epoch).toBe(3);

    await leader.fenceActive(4);
    expect((await read(namespace, created.id)).status?.storage?.epoch).toBe(4);
    // The fence changes neither the record nor its version: the engine's copy stays current.
    expect(await leader.get(created.id)).toEqual(created);

    await expect(old.update(created, [anEvent('stale')])).rejects.toBeInstanceOf(FencedError);
    await expect(old.update(created, [])).rejects.toBeInstanceOf(ConflictError);
    expect(superseded).toBe(2);
    await expect(old.fenceActive(3)).rejects.toBeInstanceOf(FencedError);

    const byFollower = await follower.update(created, [anEvent('paused')]);
    expect(byFollower.version).toBe(2);
    expect((await read(namespace, created.id)).status?.storage?.epoch).toBe(4);
    expect((await leader.update(byFollower, [])).version).toBe(3);
    expect((await leader.events(created.id)).map((e) => e.type)).toEqual(['paused']);
  });

  it('tells watchAll of another replica’s writes (remote) and of its own once', async () => {
    const namespace = await freshNamespace();
    const [a, b] = [await replica(namespace), await replica(namespace)];
    const seenByB: StoreChange[] = [];
    const seenByA: StoreChange[] = [];
    const streamedByB: StoreChange[] = [];
    b.watchAll((change) => seenByB.push(change));
    // A live event stream on a follower watches one promotion: it hears of the leader's writes too.
    b.watch('p-1', (change) => streamedByB.push(change));
    a.watchAll((change) => seenByA.push(change));
    const created = await a.create(aPromotion(), [anEvent('created')]);
    await a.update({ ...created, phase: 'succeeded' }, []);
    await waitFor(async () => seenByB.length >= 2, 'replica B to see both writes');
    expect(seenByB).toEqual([
      { promotionId: created.id, finished: false, remote: true },
      { promotionId: created.id, finished: true, remote: true },
    ]);
    expect(streamedByB).toEqual(seenByB);
    // A hears of its own writes as they return, and its watch does not repeat them.
    await b.appendEvents(created.id, [anEvent('from-b')]);
    await waitFor(async () => seenByA.length >= 3, 'replica A to see B’s append');
    expect(seenByA).toEqual([
      { promotionId: created.id, finished: false },
      { promotionId: created.id, finished: true },
      { promotionId: created.id, finished: false, remote: true },
    ]);
  });

  it('skips a kubectl-applied request without status until create adopts it', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace);
    const body = {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'Promotion',
      metadata: { name: 'shop-by-kubectl' },
      spec: { platform: 'shop', targetVersion: '1.31' },
    };
    await objects.createNamespacedCustomObject({ ...promotionResources, namespace, body });
    expect(await store.get('shop-by-kubectl')).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(await store.active()).toEqual([]);
    expect(await store.latestForPlatform('shop')).toBeUndefined();
    expect(await store.events('shop-by-kubectl')).toEqual([]);

    const elsewhere = aPromotion({ id: 'shop-by-kubectl', platform: 'payments' });
    await expect(store.create(elsewhere, [])).rejects.toBeInstanceOf(ConflictError);
    const adopted = await store.create(aPromotion({ id: 'shop-by-kubectl', platform: 'shop' }), []);
    expect(await store.get('shop-by-kubectl')).toEqual(adopted);
    expect((await store.active()).map((p) => p.id)).toEqual(['shop-by-kubectl']);
    const resource = await read(namespace, 'shop-by-kubectl');
    expect(resource.metadata?.labels?.[platformLabel]).toBe('shop');
    expect(resource.metadata?.annotations?.[originAnnotation]).toBeUndefined();
    expect(resource.spec).toEqual(body.spec);
    // The API view beside the storage: what `kubectl get promotions` prints.
    expect(resource.status?.phase).toBe('running');
  });

  it('replaces a claim whose promotion is gone, and keeps one whose promotion is running', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: claimName('payments') }, data: { promotion: 'deleted-long-ago' } },
    });
    const created = await store.create(aPromotion({ id: 'fresh' }), []);
    const claim = await core.readNamespacedConfigMap({ namespace, name: claimName('payments') });
    expect(claim.data).toEqual({ promotion: 'fresh' });
    await expect(store.create(aPromotion({ id: 'another' }), [])).rejects.toMatchObject({
      activePromotionId: 'fresh',
    });
    await store.update({ ...created, phase: 'abandoned' }, []);
    await waitFor(
      () =>
        core.readNamespacedConfigMap({ namespace, name: claimName('payments') }).then(
          () => false,
          () => true,
        ),
      'the claim of the finished promotion to be released',
    );
  });

  it('replaces the claim of an interrupted create only once it is old enough', async () => {
    const namespace = await freshNamespace();
    // A create that crashed between its claim and its status write: a request without status, claimed.
    const body = {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'Promotion',
      metadata: { name: 'interrupted', labels: { [platformLabel]: 'payments' } },
      spec: { platform: 'payments', targetVersion: '1.31' },
    };
    await objects.createNamespacedCustomObject({ ...promotionResources, namespace, body });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: claimName('payments') }, data: { promotion: 'interrupted' } },
    });
    // Young: it may be a create still under way on another replica.
    const patient = await replica(namespace);
    await expect(patient.create(aPromotion({ id: 'next' }), [])).rejects.toMatchObject({
      activePromotionId: 'interrupted',
    });
    expect(await patient.get('next')).toBeUndefined();
    const impatient = await replica(namespace, { interruptedCreateAfterMs: 0 });
    await impatient.create(aPromotion({ id: 'next' }), []);
    // Another replica's write: the patient one sees it once its watch brings it.
    const active = await waitFor(async () => {
      const ids = (await patient.active()).map((p) => p.id);
      return ids.length > 0 && ids;
    }, 'the patient replica to see the new promotion');
    expect(active).toEqual(['next']);
  });

  it('records transitions as Kubernetes Events on the Promotion', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace);
    const created = await store.create(aPromotion(), [
      { type: 'stage.started', message: 'provision started', actor: 'controller' },
      { type: 'stage.retry', message: 'not a transition', actor: 'controller' },
    ]);
    const uid = (await read(namespace, created.id)).metadata?.uid;
    const events = await waitFor(async () => {
      const list = await core.listNamespacedEvent({ namespace });
      return list.items.length > 0 && list.items;
    }, 'the Kubernetes Event');
    expect(events.map((e) => [e.reason, e.message, e.involvedObject.uid, e.type])).toEqual([
      ['StageStarted', 'provision started', uid, 'Normal'],
    ]);
  });

  it('keeps the audit log across sealed chunks, newest first', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace, { entriesPerChunk: 3 });
    const other = await replica(namespace, { entriesPerChunk: 3 });
    const entry = (i: number) => ({
      actor: 'alice',
      action: `POST /v1/x/${i}`,
      status: 200,
      outcome: 'ok' as const,
    });
    // Two replicas appending at once: each entry lands once, seqs stay 1 … n.
    await Promise.all(
      [0, 1, 2, 3, 4].flatMap((i) => [store.appendAudit(entry(i)), other.appendAudit(entry(i + 5))]),
    );
    const all = await store.audit(20);
    expect(all.map((e) => e.seq)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(new Set(all.map((e) => e.action)).size).toBe(10);
    expect((await store.audit(4)).map((e) => e.seq)).toEqual([10, 9, 8, 7]);
  });

  it('refuses to open on a cluster without the Promotion CRD, saying so', async () => {
    // The blue sandbox cluster never had the switchyard.dev CRDs installed.
    const blue = loadKubeConfig({ path: testEnvironment().kubeconfigPath, context: 'blue' });
    await expect(openKubernetesStore({ kubeConfig: blue, namespace: 'default' })).rejects.toThrow(
      /Promotion CRD \(promotions.switchyard.dev\) is not installed/,
    );
  });

  it('measures create and update against the apiserver', async () => {
    const namespace = await freshNamespace();
    const store = await replica(namespace);
    const creates: number[] = [];
    const updates: number[] = [];
    for (let i = 0; i < 20; i++) {
      let started = performance.now();
      const created = await store.create(aPromotion({ id: `m-${i}`, platform: `m-${i}` }), [
        anEvent('created'),
      ]);
      creates.push(performance.now() - started);
      started = performance.now();
      await store.update(created, [anEvent('updated')]);
      updates.push(performance.now() - started);
    }
    console.log(
      `kubernetes store on the sandbox apiserver: create median ${median(creates).toFixed(1)} ms, update median ${median(updates).toFixed(1)} ms (20 each)`,
    );
    expect(await store.list()).toHaveLength(20);
  });
});

const median = (values: readonly number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
