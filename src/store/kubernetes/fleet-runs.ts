import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ConflictError, InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { type FleetRun, isFinishedRun, type NewFleetEvent } from '../../domain/fleet.js';
import type { ChangeListener } from '../changes.js';
import { closedStoreError, duplicateRunError, FencedError, staleRunWriteError } from '../errors.js';
import { oldestRunFirst, runPage } from '../fleet-order.js';
import type { FleetRunStore } from '../fleet-store.js';
import { pageOf } from '../paging.js';
import { casAttempts } from './context.js';
import { chunksToSeal, defaultEventsPerChunk, mergeBySeq } from './event-log.js';
import { type FleetChanges, watchFleetRuns } from './fleet-changes.js';
import { readFleetChunk, sealFleetChunk } from './fleet-event-chunks.js';
import {
  activeRunSelector,
  decodeFleetRun,
  everyRunSelector,
  fleetRunMap,
  fleetRunName,
  numberedEvents,
  runsInStateSelector,
  type StoredFleetRun,
} from './fleet-objects.js';
import { apiCode, unlessMissing } from './objects.js';

type ConfigMaps = Pick<
  CoreV1Api,
  | 'createNamespacedConfigMap'
  | 'readNamespacedConfigMap'
  | 'replaceNamespacedConfigMap'
  | 'listNamespacedConfigMap'
>;

export interface KubernetesFleetOptions {
  readonly kubeConfig: KubeConfig;
  readonly core: ConfigMaps;
  readonly namespace: string;
  readonly now: () => Date;
  readonly log: Logger;
  /** Events per sealed chunk of a run's log (the store's entriesPerChunk, 100 by default). */
  readonly eventsPerChunk?: number;
  /** The leader's current epoch (fencing); undefined on a follower. */
  readonly epoch?: () => number | undefined;
  /** Told when a write found a newer leader's epoch on a run (the elector steps down). */
  readonly onSuperseded?: () => void;
}

/** The fleet runs of the Kubernetes store, where other replicas write too. */
export interface KubernetesFleetRunStore extends FleetRunStore {
  /**
   * Every committed write of any run, by this replica or another (`remote`), from the watch: the
   * leader wakes a run that a follower wrote (a pause or approval it answered, a run it started).
   */
  watchAll(listener: ChangeListener): () => void;
}

export interface KubernetesFleets {
  readonly runs: KubernetesFleetRunStore;
  /**
   * A new leader's first act, as for promotions: stamp its epoch on every unfinished run, so a former
   * leader that wakes from a pause finds a newer epoch at its next write and stops (FencedError).
   * Record, version and events stay as they are.
   */
  fenceActive(epoch: number): Promise<void>;
  /** Stops the watch; every call after it is refused as on a closed store. */
  stop(): Promise<void>;
}

/**
 * Fleet runs in the management cluster, one ConfigMap each (fleet-objects.ts). Writes are
 * compare-and-swap twice over: on the record's version, which every write of the run raises, and on
 * the ConfigMap's resourceVersion, which the apiserver checks, so of two replicas writing one version
 * one wins and the other gets a ConflictError. Reads go to the apiserver, so a write shows at once to
 * every replica; watchers hear of other replicas' writes through the informer (fleet-changes.ts). The
 * older events of a long run are sealed in chunks beside it (fleet-event-chunks.ts).
 */
export async function openKubernetesFleets(options: KubernetesFleetOptions): Promise<KubernetesFleets> {
  const { core, namespace, now } = options;
  const size = options.eventsPerChunk ?? defaultEventsPerChunk;
  const ourEpoch = options.epoch ?? (() => undefined);
  const onSuperseded = options.onSuperseded ?? (() => {});
  const changes: FleetChanges = await watchFleetRuns(options);
  let closed = false;

  const open = () => {
    if (closed) throw closedStoreError();
  };

  const read = async (id: string): Promise<StoredFleetRun | undefined> => {
    const map = await unlessMissing(core.readNamespacedConfigMap({ namespace, name: fleetRunName(id) }));
    return map && decodeFleetRun(map);
  };

  const listed = async (labelSelector: string): Promise<FleetRun[]> => {
    const list = await core.listNamespacedConfigMap({ namespace, labelSelector });
    return list.items.map((map) => decodeFleetRun(map).record);
  };

  /**
   * The epoch a write stores: a leader refuses to write over a newer leader's and stamps its own; a
   * follower (API commands are legitimate on any replica) keeps what is stored.
   */
  const epochToStore = (id: string, stored: number): number => {
    const ours = ourEpoch();
    if (ours === undefined) return stored;
    if (stored > ours) {
      onSuperseded();
      throw new FencedError(id, stored, ours, 'fleet run');
    }
    return ours;
  };

  const created = async (run: FleetRun, events: readonly NewFleetEvent[]): Promise<FleetRun> => {
    const record: FleetRun = { ...run, version: 1 };
    const tail = numberedEvents(record.id, 1, events, now().toISOString());
    const body = fleetRunMap(record, { tail, nextSeq: tail.length + 1, sealed: [] }, ourEpoch() ?? 0);
    const change = { promotionId: record.id, finished: isFinishedRun(record) };
    try {
      await changes.write(record.id, change, () => core.createNamespacedConfigMap({ namespace, body }));
    } catch (error) {
      if (apiCode(error) === 409) throw duplicateRunError(record.id);
      // The apiserver refuses a name that cannot be an object name: say which input it was.
      if (apiCode(error) === 422 && !isObjectName(body.metadata?.name ?? '')) {
        throw new InvalidInputError('id', `"${record.id}" cannot name a ConfigMap (${body.metadata?.name})`);
      }
      throw error;
    }
    return copy(record);
  };

  /** One compare-and-swap round: the stored record, or undefined when only the resource moved meanwhile. */
  const replaced = async (
    current: StoredFleetRun,
    next: FleetRun,
    events: readonly NewFleetEvent[],
  ): Promise<FleetRun | undefined> => {
    const epoch = epochToStore(next.id, current.epoch);
    const at = now().toISOString();
    const record: FleetRun = { ...next, version: next.version + 1, updatedAt: at };
    // Only committed events are sealed, before the write that drops them from the tail: a write that
    // then loses (or a crash) leaves a chunk the next writer finds holding exactly what it would seal.
    const toSeal = chunksToSeal(current.tail, current.sealed.length, size);
    for (const chunk of toSeal) await sealFleetChunk(core, namespace, current.map, record.id, chunk);
    const added = numberedEvents(record.id, current.nextSeq, events, at);
    const log = {
      tail: [...current.tail.slice(toSeal.length * size), ...added],
      nextSeq: current.nextSeq + added.length,
      sealed: [
        ...current.sealed,
        ...toSeal.map((chunk) => ({ index: chunk.index, lastSeq: chunk.events.at(-1)?.seq ?? 0 })),
      ],
    };
    const body = fleetRunMap(record, log, epoch, current.map.metadata?.resourceVersion);
    const change = { promotionId: record.id, finished: isFinishedRun(record) };
    try {
      await changes.write(record.id, change, () =>
        core.replaceNamespacedConfigMap({ namespace, name: fleetRunName(record.id), body }),
      );
      return copy(record);
    } catch (error) {
      if (apiCode(error) === 409) return undefined;
      if (apiCode(error) === 404) throw new NotFoundError('fleet run', record.id);
      throw error;
    }
  };

  const runs: KubernetesFleetRunStore = {
    async createRun(run, events) {
      open();
      return created(run, events);
    },

    async getRun(id) {
      open();
      return (await read(id))?.record;
    },

    async listRuns(filter) {
      open();
      pageOf(filter); // refuses a bad page before any call
      const selector = filter?.state === undefined ? everyRunSelector : runsInStateSelector(filter.state);
      return runPage(await listed(selector), filter);
    },

    async activeRuns() {
      open();
      return (await listed(activeRunSelector)).sort(oldestRunFirst);
    },

    async updateRun(next, events) {
      open();
      // A 409 with the version unchanged means something else touched the ConfigMap (a label edited by
      // hand): read it again and retry. A changed version is another writer of the run: the caller lost.
      for (let attempt = 1; attempt <= casAttempts; attempt++) {
        const current = await read(next.id);
        if (current === undefined) throw new NotFoundError('fleet run', next.id);
        if (current.version !== next.version)
          throw staleRunWriteError(next.id, next.version, current.version);
        const stored = await replaced(current, next, events);
        if (stored !== undefined) return stored;
      }
      throw new ConflictError(`fleet run "${next.id}" kept changing under this write; read it again`);
    },

    async runEvents(runId, afterSeq = 0) {
      open();
      const stored = await read(runId);
      if (stored === undefined) return [];
      // Only the chunks holding events after `afterSeq`: a live stream reads the tail alone.
      const wanted = stored.sealed.filter((chunk) => chunk.lastSeq > afterSeq);
      const chunks = await Promise.all(wanted.map((c) => readFleetChunk(core, namespace, runId, c.index)));
      return mergeBySeq(...chunks, stored.tail).filter((e) => e.seq > afterSeq);
    },

    watchRun(runId, listener) {
      return changes.watch(runId, listener);
    },

    watchAll(listener) {
      return changes.watchAll(listener);
    },
  };

  /** Stamps `epoch` on one run unless a newer leader's is there; retried while only the resource moves. */
  const fenceOne = async (first: StoredFleetRun, epoch: number): Promise<void> => {
    const id = first.record.id;
    let stored: StoredFleetRun | undefined = first;
    for (let attempt = 1; attempt <= casAttempts && stored !== undefined; attempt++) {
      if (stored.epoch > epoch) {
        onSuperseded();
        throw new FencedError(id, stored.epoch, epoch, 'fleet run');
      }
      if (stored.epoch === epoch || isFinishedRun(stored.record)) return;
      const body = fleetRunMap(stored.record, stored, epoch, stored.map.metadata?.resourceVersion);
      try {
        // Nothing a listener needs to hear of; remembered so the watch does not report it as remote.
        await changes.write(id, undefined, () =>
          core.replaceNamespacedConfigMap({ namespace, name: fleetRunName(id), body }),
        );
        return;
      } catch (error) {
        if (apiCode(error) !== 409) throw error;
      }
      stored = await read(id);
    }
    if (stored !== undefined) throw new ConflictError(`fleet run "${id}" kept changing while fenced`);
  };

  return {
    runs,
    async fenceActive(epoch) {
      open();
      const { items } = await core.listNamespacedConfigMap({ namespace, labelSelector: activeRunSelector });
      for (const map of items) await fenceOne(decodeFleetRun(map), epoch);
    },
    async stop() {
      if (closed) return;
      closed = true;
      await changes.stop();
    },
  };
}

/** A DNS subdomain, what every ConfigMap name must be. */
function isObjectName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
