import type { CoreV1Api } from '@kubernetes/client-node';
import type { PromotionEvent } from '../../domain/promotion.js';
import { readChunk } from './event-chunks.js';
import { decodeStored, platformLabel, type StoredPromotion } from './objects.js';
import type { PromotionApi } from './promotion-api.js';
import type { PromotionCache } from './promotion-cache.js';
import { cachingChunks } from './sealed-chunk-cache.js';

/**
 * Where the read methods (get, list, active, latestForPlatform, events, eventPage) find promotions.
 * Only those: every write reads the resource it replaces from the apiserver, so a stale copy never
 * decides a write. What a source returns may be shared with later reads: callers copy it.
 */
export interface PromotionSource {
  one(id: string): Promise<StoredPromotion | undefined>;
  /** Every accepted promotion (requests without storage are skipped), of one platform when given. */
  all(platform?: string): Promise<StoredPromotion[]>;
  /** The events sealed in chunk k (from 1) of the promotion's log. */
  chunk(stored: StoredPromotion, k: number): Promise<readonly PromotionEvent[]>;
}

/** What a label value may be; anything else cannot be selected on, and is filtered here instead. */
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const ofPlatform = (platform: string | undefined) => (stored: StoredPromotion) =>
  platform === undefined || stored.record.platform === platform;

/** Every read a call to the apiserver. */
export function apiserverSource(
  promotions: PromotionApi,
  core: CoreV1Api,
  namespace: string,
): PromotionSource {
  return {
    async one(id) {
      const resource = await promotions.read(id);
      return resource && decodeStored(resource);
    },
    async all(platform) {
      const selectable = platform !== undefined && platform.length <= 63 && labelValue.test(platform);
      const { items } = await promotions.list(selectable ? `${platformLabel}=${platform}` : undefined);
      return items.flatMap((resource) => {
        const stored = decodeStored(resource);
        return stored !== undefined && ofPlatform(platform)(stored) ? [stored] : [];
      });
    },
    chunk: (stored, k) => readChunk(core, namespace, stored.record.id, k),
  };
}

/**
 * Reads from the informer's cache once it has synced, from `apiserver` before. Our own writes are in
 * the cache as soon as they return; another replica's within the watch latency. Sealed chunks are read
 * once and kept (see sealed-chunk-cache.ts).
 */
export function cachedSource(cache: PromotionCache, apiserver: PromotionSource): PromotionSource {
  return {
    one: async (id) => (cache.synced ? cache.get(id) : apiserver.one(id)),
    all: async (platform) =>
      cache.synced ? cache.all().filter(ofPlatform(platform)) : apiserver.all(platform),
    chunk: cachingChunks(apiserver.chunk),
  };
}
