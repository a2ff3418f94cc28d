import { hostname } from 'node:os';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import pino, { type Logger } from 'pino';
import type { ChangeListener } from '../changes.js';
import { closedStoreError } from '../errors.js';
import type { PromotionStore } from '../store.js';
import { auditLog } from './audit-log.js';
import type { StoreContext } from './context.js';
import { defaultEventsPerChunk } from './event-log.js';
import { type KubernetesFleetRunStore, openKubernetesFleets } from './fleet-runs.js';
import { kubernetesEventsOf, recordKubernetesEvents } from './kube-events.js';
import { apiCode, promotionResources } from './objects.js';
import { defaultInterruptedCreateAfterMs } from './platform-claim.js';
import { platformRecords } from './platform-records.js';
import { promotionApi } from './promotion-api.js';
import { promotionCache } from './promotion-cache.js';
import { createPromotion } from './promotion-create.js';
import {
  activePromotions,
  getPromotion,
  latestForPlatform,
  listPromotions,
  promotionEventPage,
  promotionEvents,
} from './promotion-reads.js';
import { apiserverSource, cachedSource } from './promotion-source.js';
import { appendPromotionEvents, fenceActivePromotions, updatePromotion } from './promotion-writes.js';
import { retryingTooManyRequests } from './too-many-requests.js';
import { watchPromotions } from './watch.js';
import { writingThrough } from './write-through.js';

export interface KubernetesStoreOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly now?: () => Date;
  readonly log?: Logger;
  /** The leader's current epoch (fencing); undefined on a follower / when not leading. */
  readonly epoch?: () => number | undefined;
  /** Told when a write found a newer leader's epoch (the elector steps down). */
  readonly onSuperseded?: () => void;
  /** Events per sealed ConfigMap of a promotion's or fleet run's log, audit entries per audit chunk (100). */
  readonly entriesPerChunk?: number;
  /**
   * How old a request without status must be before its platform claim counts as left by an interrupted
   * create and may be replaced (30 s: far longer than a create takes).
   */
  readonly interruptedCreateAfterMs?: number;
  /**
   * Whether reads come from the informer's cache (true, the default) or each from the apiserver, as
   * before the cache: kept for comparing the two, and as a way out should the cache ever misbehave.
   */
  readonly cacheReads?: boolean;
}

export interface KubernetesStore extends PromotionStore {
  readonly fleets: KubernetesFleetRunStore;
  /** Every committed change of any promotion, by this replica or another (from the watch); returns stop. */
  watchAll(listener: ChangeListener): () => void;
  /** A new leader stamps its epoch on every unfinished promotion and fleet run before acting (see fencing). */
  fenceActive(epoch: number): Promise<void>;
}

/**
 * A PromotionStore in the management cluster's API server, for several controller replicas. Everything
 * lives in one namespace: a Promotion resource per promotion (the record and the newest events in its
 * status, see objects.ts), sealed event chunks, a claim ConfigMap per platform with an active promotion,
 * platform records and the audit log as ConfigMaps. The Promotion CRD must be installed.
 * Reads of promotions come from a cache the Promotion informer keeps (every replica serves the API
 * without listing every Promotion per request): this replica's own writes show at once, another's
 * within the watch latency. Writes read what they replace from the apiserver (promotion-source.ts).
 */
export async function openKubernetesStore(options: KubernetesStoreOptions): Promise<KubernetesStore> {
  const { kubeConfig, namespace } = options;
  const log = options.log ?? pino({ level: 'silent' });
  const core = retryingTooManyRequests(kubeConfig.makeApiClient(CoreV1Api));
  const apiserver = promotionApi(
    retryingTooManyRequests(kubeConfig.makeApiClient(CustomObjectsApi)),
    namespace,
  );
  await apiserver.list().catch((error: unknown) => {
    // The watch would only log this and retry forever: say it once, at startup, where it is fixed.
    if (apiCode(error) !== 404) throw error;
    throw new Error(
      `the Promotion CRD (${promotionResources.plural}.${promotionResources.group}) is not installed in the management cluster: apply deploy/crds/ or install the Helm chart`,
      { cause: error },
    );
  });
  const cache = promotionCache();
  const promotions = writingThrough(apiserver, cache);
  // Resolves once the first list is in the cache, or once it failed (reads then stay on the apiserver
  // until the informer's retry lists).
  const changes = await watchPromotions({ kubeConfig, namespace, promotions: apiserver, cache, log });
  const fromApiserver = apiserverSource(apiserver, core, namespace);
  const now = options.now ?? (() => new Date());
  const size = options.entriesPerChunk ?? defaultEventsPerChunk;
  const fleets = await openKubernetesFleets({
    kubeConfig,
    core,
    namespace,
    now,
    log,
    eventsPerChunk: size,
    ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
    ...(options.onSuperseded === undefined ? {} : { onSuperseded: options.onSuperseded }),
  }).catch(async (error: unknown) => {
    await changes.stop();
    throw error;
  });
  const reportingInstance = hostname();
  // Kubernetes Events go out after the write returned; close() waits for those still under way.
  const announcing = new Set<Promise<void>>();

  const ctx: StoreContext = {
    core,
    promotions,
    reads: options.cacheReads === false ? fromApiserver : cachedSource(cache, fromApiserver),
    namespace,
    now,
    log,
    epoch: options.epoch ?? (() => undefined),
    onSuperseded: options.onSuperseded ?? (() => {}),
    eventsPerChunk: size,
    claims: {
      core,
      promotions,
      namespace,
      log,
      interruptedCreateAfterMs: options.interruptedCreateAfterMs ?? defaultInterruptedCreateAfterMs,
    },
    changes,
    announce(resource, events) {
      const kubeEvents = kubernetesEventsOf(resource, events, reportingInstance);
      if (kubeEvents.length === 0) return;
      const sent = recordKubernetesEvents(core, namespace, kubeEvents)
        .catch((error: unknown) => {
          log.warn(
            { err: error, promotionId: resource.metadata?.name },
            'could not record Kubernetes Events',
          );
        })
        .finally(() => announcing.delete(sent));
      announcing.add(sent);
    },
  };
  const platforms = platformRecords(core, namespace);
  const audit = auditLog(core, namespace, size);
  let closed = false;

  /** Runs `operation` unless the store is closed (then rejects, as the other stores do). */
  const open = async <T>(operation: () => Promise<T>): Promise<T> => {
    if (closed) throw closedStoreError();
    return operation();
  };

  return {
    fleets: fleets.runs,
    create: (promotion, events) => open(() => createPromotion(ctx, promotion, events)),
    get: (id) => open(() => getPromotion(ctx, id)),
    list: (filter) => open(() => listPromotions(ctx, filter)),
    active: () => open(() => activePromotions(ctx)),
    latestForPlatform: (platform) => open(() => latestForPlatform(ctx, platform)),
    update: (next, events) => open(() => updatePromotion(ctx, next, events)),
    appendEvents: (id, events) => open(() => appendPromotionEvents(ctx, id, events)),
    events: (id, afterSeq) => open(() => promotionEvents(ctx, id, afterSeq)),
    eventPage: (id, request) => open(() => promotionEventPage(ctx, id, request)),
    watch: (id, listener) => changes.watch(id, listener),
    watchAll: (listener) => changes.watchAll(listener),
    fenceActive: (epoch) =>
      open(async () => {
        await fenceActivePromotions(ctx, epoch);
        await fleets.fenceActive(epoch);
      }),
    platform: (name) => open(() => platforms.read(name)),
    recordPlatform: (record) => open(() => platforms.record(record)),
    appendAudit: (entry) => open(() => audit.append(entry, now().toISOString())),
    audit: (limit = 100) => open(() => audit.newestFirst(limit)),
    async close() {
      if (closed) return;
      closed = true;
      await changes.stop();
      await fleets.stop();
      await Promise.allSettled([...announcing]);
    },
  };
}
