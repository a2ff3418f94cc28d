import type { PromotionResource } from './objects.js';
import type { PromotionApi } from './promotion-api.js';
import type { PromotionCache } from './promotion-cache.js';

/**
 * The Promotion calls with every object the apiserver answers offered to the cache (which keeps it only
 * if newer than its copy). For a write, that is read-your-writes: the answer is in the cache before the
 * write returns, long before the watch brings it. For a read a write made first (a compare-and-swap
 * that then lost), the cache learns the newer version at once, so the caller's next `get`, the one that
 * retries, sees what beat it. A delete is left to the watch: the store deletes only requests without
 * storage, which the reads skip anyway.
 */
export function writingThrough(api: PromotionApi, cache: PromotionCache): PromotionApi {
  const offered = async <T extends PromotionResource | undefined>(call: Promise<T>): Promise<T> => {
    const resource = await call;
    if (resource !== undefined) cache.offer(resource);
    return resource;
  };
  return {
    read: (name) => offered(api.read(name)),
    create: (body) => offered(api.create(body)),
    replaceStatus: (body) => offered(api.replaceStatus(body)),
    label: (name, labels) => offered(api.label(name, labels)),
    async list(labelSelector) {
      const list = await api.list(labelSelector);
      for (const item of list.items) cache.offer(item);
      return list;
    },
    delete: (name, preconditions) => api.delete(name, preconditions),
  };
}
