import type { PromotionStore } from '../store/store.js';

/**
 * Serialized answers to reads of one promotion (its detail, per page asked), kept until the store says
 * the promotion changed. Dashboards and CLIs poll the same few promotions far more often than they
 * change, so most reads cost a lookup instead of a store read and a serialization.
 *
 * Correct because the store tells its watchers after every committed write of the promotion (see
 * PromotionStore.watch): the watch is in place before the first read, a change drops every body of the
 * promotion, and a body read while a change happened is answered but not kept.
 */
export interface ReadCache {
  /** The kept body for `key` of the promotion, or the one `read` makes now. */
  body(promotionId: string, key: string, read: () => Promise<string>): Promise<string>;
  /** Promotions with kept bodies (each holds one watch on the store). */
  size(): number;
}

interface Entry {
  readonly bodies: Map<string, string>;
  stale: boolean;
  stop: () => void;
}

export function createReadCache(
  store: PromotionStore,
  limits: { readonly promotions: number; readonly keysPerPromotion: number } = {
    promotions: 100,
    keysPerPromotion: 8,
  },
): ReadCache {
  // Map order is use order (oldest first): the least recently read promotion goes first.
  const entries = new Map<string, Entry>();

  function drop(promotionId: string, entry: Entry): void {
    entry.stale = true;
    entry.stop();
    if (entries.get(promotionId) === entry) entries.delete(promotionId);
  }

  function entryOf(promotionId: string): Entry {
    const existing = entries.get(promotionId);
    if (existing) {
      entries.delete(promotionId);
      entries.set(promotionId, existing);
      return existing;
    }
    const entry: Entry = { bodies: new Map(), stale: false, stop: () => {} };
    // Watch first: a write that commits after this point drops whatever the read below returns.
    entry.stop = store.watch(promotionId, () => drop(promotionId, entry));
    entries.set(promotionId, entry);
    for (const [id, oldest] of entries) {
      if (entries.size <= limits.promotions) break;
      drop(id, oldest);
    }
    return entry;
  }

  return {
    async body(promotionId, key, read) {
      const entry = entryOf(promotionId);
      const kept = entry.bodies.get(key);
      if (kept !== undefined) return kept;
      let body: string;
      try {
        body = await read();
      } catch (error) {
        // Nothing to keep (no such promotion, say): no watch is left behind for it.
        if (entry.bodies.size === 0) drop(promotionId, entry);
        throw error;
      }
      if (!entry.stale) {
        if (entry.bodies.size >= limits.keysPerPromotion) entry.bodies.clear();
        entry.bodies.set(key, body);
      }
      return body;
    },
    size() {
      return entries.size;
    },
  };
}
