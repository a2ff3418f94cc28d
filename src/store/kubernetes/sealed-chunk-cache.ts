import type { PromotionEvent } from '../../domain/promotion.js';
import type { StoredPromotion } from './objects.js';

/** Reads chunk k (from 1) of a promotion's sealed event log. */
export type ChunkReader = (stored: StoredPromotion, k: number) => Promise<readonly PromotionEvent[]>;

/** About 15 MB at 100 events a chunk: the logs people page through, not every log ever shown. */
export const defaultChunksCached = 500;

/**
 * Sealed chunks never change (immutable ConfigMaps holding committed events only), so one read serves
 * every later one. Keyed by the Promotion's uid too: a promotion deleted and created again under its
 * name gets new chunks. At most `capacity` chunks are held, the least recently read dropped first, so a
 * controller that runs for months does not keep every log it ever served.
 */
export function cachingChunks(read: ChunkReader, capacity = defaultChunksCached): ChunkReader {
  // A Map iterates in insertion order: re-inserting on each hit keeps the least recent first.
  const chunks = new Map<string, readonly PromotionEvent[]>();
  return async (stored, k) => {
    const key = `${stored.resource.metadata?.uid ?? ''}/${stored.record.id}/${k}`;
    const held = chunks.get(key);
    if (held !== undefined) {
      chunks.delete(key);
      chunks.set(key, held);
      return held;
    }
    const events = await read(stored, k);
    chunks.set(key, events);
    if (chunks.size > capacity) {
      const oldest = chunks.keys().next().value;
      if (oldest !== undefined) chunks.delete(oldest);
    }
    return events;
  };
}
