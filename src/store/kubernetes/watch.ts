import { type KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isFinished, type Promotion } from '../../domain/promotion.js';
import { type ChangeListener, createChangeBus, type StoreChange } from '../changes.js';
import { keepInformerRunning } from './kept-informer.js';
import { type PromotionResource, promotionResources } from './objects.js';
import type { PromotionApi } from './promotion-api.js';
import type { PromotionCache } from './promotion-cache.js';

/**
 * Who hears of committed changes, and from where. This process's own writes are told right after they
 * return (so a listener that then reads sees them, as the contract asks); writes by other processes
 * (another replica, a person with kubectl on the status) come from one informer on the namespace's
 * Promotions, which lists again by itself after a 410 Gone and is restarted when its watch fails.
 * The same informer keeps the read cache: each list and event reaches the cache before any listener
 * hears of it, so a listener that reads sees at least what it was told of.
 */
export interface PromotionChanges {
  watch(promotionId: string, listener: ChangeListener): () => void;
  watchAll(listener: ChangeListener): () => void;
  /** Runs one of our writes of the promotion; watch events of it wait until it has settled. */
  writing<T>(promotionId: string, write: () => Promise<T>): Promise<T>;
  /**
   * Our write committed as `resourceVersion`: tells the listeners of `change` (none for a write they
   * need not hear of), and skips it when the watch reports it.
   */
  committed(change: StoreChange | undefined, resourceVersion: string | undefined): void;
  stop(): Promise<void>;
}

export interface PromotionChangesOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly promotions: PromotionApi;
  /** Fed with every list and event the informer takes. */
  readonly cache: PromotionCache;
  readonly log: Logger;
  readonly rewatchDelayMs?: number;
}

/** How many of our own resourceVersions to remember: far more than can be in flight on the watch. */
const ownWritesRemembered = 1_000;

export async function watchPromotions(options: PromotionChangesOptions): Promise<PromotionChanges> {
  const { kubeConfig, namespace, promotions, cache, log } = options;
  const bus = createChangeBus((error) => log.warn({ err: error }, 'a store change listener failed'));
  const everyone = new Set<ChangeListener>();
  // Insertion-ordered, so the oldest is dropped first once it is full.
  const ownWrites = new Set<string>();
  const inFlight = new Map<string, Set<Promise<unknown>>>();

  const publish = (change: StoreChange) => {
    bus.publish(change);
    for (const listener of everyone) {
      try {
        listener(change);
      } catch (error) {
        log.warn({ err: error }, 'a store change listener failed');
      }
    }
  };

  // The version each promotion had when last seen: a change that kept it only appended to the log.
  const versions = new Map<string, number>();
  const seenRemotely = (resource: PromotionResource) => {
    const promotionId = resource.metadata?.name ?? '';
    const resourceVersion = resource.metadata?.resourceVersion ?? '';
    const storage = resource.status?.storage;
    if (storage === undefined) return; // a request not accepted yet: no store change
    const recordChanged = versions.get(promotionId) !== storage.version;
    versions.set(promotionId, storage.version);
    const decide = () => {
      if (kept.stopped() || ownWrites.has(resourceVersion)) return;
      const finished = recordChanged && isFinished(JSON.parse(storage.record) as Promotion);
      publish({ promotionId, finished, remote: true });
    };
    const pending = inFlight.get(promotionId);
    if (pending === undefined) decide();
    else void Promise.allSettled([...pending]).then(decide);
  };

  const { group, version, plural } = promotionResources;
  const path = `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
  const informer = makeInformer<PromotionResource>(kubeConfig, path, async () => {
    const list = await promotions.list();
    cache.replaceAll(list.items, list.resourceVersion);
    return { items: list.items, metadata: { resourceVersion: list.resourceVersion } } as never;
  });
  const seen = (resource: PromotionResource) => {
    cache.offer(resource);
    seenRemotely(resource);
  };
  informer.on('add', seen);
  informer.on('update', seen);
  informer.on('delete', (resource) => {
    cache.forget(resource);
    versions.delete(resource.metadata?.name ?? '');
  });
  const kept = keepInformerRunning(informer, {
    what: 'Promotion',
    log,
    delayMs: options.rewatchDelayMs ?? 1_000,
  });
  await informer.start();

  return {
    watch: (promotionId, listener) => bus.watch(promotionId, listener),
    watchAll(listener) {
      const entry: ChangeListener = (change) => listener(change);
      everyone.add(entry);
      return () => everyone.delete(entry);
    },
    async writing(promotionId, write) {
      const promise = write();
      let pending = inFlight.get(promotionId);
      if (pending === undefined) {
        pending = new Set();
        inFlight.set(promotionId, pending);
      }
      pending.add(promise);
      try {
        return await promise;
      } finally {
        pending.delete(promise);
        if (pending.size === 0 && inFlight.get(promotionId) === pending) inFlight.delete(promotionId);
      }
    },
    committed(change, resourceVersion) {
      if (resourceVersion !== undefined) {
        ownWrites.add(resourceVersion);
        if (ownWrites.size > ownWritesRemembered) {
          const oldest = ownWrites.values().next().value;
          if (oldest !== undefined) ownWrites.delete(oldest);
        }
      }
      if (change !== undefined) publish(change);
    },
    stop: () => kept.stop(),
  };
}
