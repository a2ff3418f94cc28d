import { type CoreV1Api, type KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isFinishedRun } from '../../domain/fleet.js';
import { type ChangeListener, createChangeBus, type StoreChange } from '../changes.js';
import { activeRunSelector, decodeFleetRun, runIdOf } from './fleet-objects.js';
import { keepInformerRunning } from './kept-informer.js';

/**
 * Who hears of committed fleet-run writes, and from where: this process's writes right after they
 * return (a listener that then reads sees them), other replicas' from an informer on the ConfigMaps
 * of unfinished runs. An informer event of our own write is recognised by its resourceVersion and not told
 * twice; one that arrives while our write of that run is still in flight waits for the write to settle,
 * so the resourceVersion is known by then.
 */
export interface FleetChanges {
  watch(runId: string, listener: ChangeListener): () => void;
  watchAll(listener: ChangeListener): () => void;
  /**
   * Runs one of our writes of the run (it returns the ConfigMap as stored). Its resourceVersion is
   * remembered before anyone awaiting the write resumes, so the informer's copy of it is never told as
   * remote; informer events of the run wait until the write has settled. On success `change` is told
   * (none for a write nobody needs to hear of, a fence).
   */
  write(
    runId: string,
    change: StoreChange | undefined,
    write: () => Promise<V1ConfigMap>,
  ): Promise<V1ConfigMap>;
  stop(): Promise<void>;
}

export interface FleetChangesOptions {
  readonly kubeConfig: KubeConfig;
  readonly core: Pick<CoreV1Api, 'listNamespacedConfigMap'>;
  readonly namespace: string;
  readonly log: Logger;
  readonly rewatchDelayMs?: number;
}

/** How many of our own resourceVersions to remember: far more than can be in flight on the watch. */
const ownWritesRemembered = 1_000;

export async function watchFleetRuns(options: FleetChangesOptions): Promise<FleetChanges> {
  const { kubeConfig, core, namespace, log } = options;
  const listenerFailed = (error: unknown) => log.warn({ err: error }, 'a fleet run change listener failed');
  const bus = createChangeBus(listenerFailed);
  const everyone = new Set<ChangeListener>();
  const publish = (change: StoreChange) => {
    bus.publish(change);
    for (const listener of everyone) {
      try {
        listener(change);
      } catch (error) {
        listenerFailed(error);
      }
    }
  };
  // Insertion-ordered, so the oldest is dropped first once it is full.
  const ownWrites = new Set<string>();
  const inFlight = new Map<string, Set<Promise<unknown>>>();

  const remember = (resourceVersion: string | undefined) => {
    if (resourceVersion === undefined) return;
    ownWrites.add(resourceVersion);
    if (ownWrites.size > ownWritesRemembered) {
      const oldest = ownWrites.values().next().value;
      if (oldest !== undefined) ownWrites.delete(oldest);
    }
  };

  /** Another writer's change of the run (told once any write of ours to the run has settled). */
  const seen = (map: V1ConfigMap, finished: (map: V1ConfigMap) => boolean) => {
    const runId = runIdOf(map.metadata?.name);
    if (runId === undefined) return;
    const resourceVersion = map.metadata?.resourceVersion ?? '';
    const decide = () => {
      if (kept.stopped() || ownWrites.has(resourceVersion)) return;
      publish({ promotionId: runId, finished: finished(map), remote: true });
    };
    const pending = inFlight.get(runId);
    if (pending === undefined) decide();
    else void Promise.allSettled([...pending]).then(decide);
  };
  const recordFinished = (map: V1ConfigMap) => isFinishedRun(decodeFleetRun(map).record);

  // Unfinished runs only, so the informer's memory stays with the runs being driven, not every run
  // ever made. A write that finishes a run takes it out of the selection, which the watch reports as
  // a deletion carrying the finished copy; a run deleted outright is as finished for its watchers.
  const informer = makeInformer<V1ConfigMap>(
    kubeConfig,
    `/api/v1/namespaces/${namespace}/configmaps`,
    () => core.listNamespacedConfigMap({ namespace, labelSelector: activeRunSelector }),
    activeRunSelector,
  );
  informer.on('add', (map) => seen(map, recordFinished));
  informer.on('update', (map) => seen(map, recordFinished));
  informer.on('delete', (map) => seen(map, () => true));
  const kept = keepInformerRunning(informer, {
    what: 'fleet run',
    log,
    delayMs: options.rewatchDelayMs ?? 1_000,
  });
  await informer.start();

  return {
    watch: (runId, listener) => bus.watch(runId, listener),
    watchAll(listener) {
      // A wrapper per call, so the same function watched twice is also stopped twice.
      const entry: ChangeListener = (change) => listener(change);
      everyone.add(entry);
      return () => everyone.delete(entry);
    },
    async write(runId, change, write) {
      const promise = write().then((map) => {
        remember(map.metadata?.resourceVersion);
        return map;
      });
      let pending = inFlight.get(runId);
      if (pending === undefined) {
        pending = new Set();
        inFlight.set(runId, pending);
      }
      pending.add(promise);
      try {
        const map = await promise;
        if (change !== undefined) publish(change);
        return map;
      } finally {
        pending.delete(promise);
        if (pending.size === 0 && inFlight.get(runId) === pending) inFlight.delete(runId);
      }
    },
    stop: () => kept.stop(),
  };
}
