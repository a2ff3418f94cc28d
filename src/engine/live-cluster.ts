import type { Promotion } from '../domain/promotion.js';
import { type LiveCluster, liveCluster, madeLive, type PlatformRecord } from '../domain/slots.js';
import type { PromotionStore } from '../store/store.js';

const page = 50;

/**
 * The platform's live cluster from what the store holds: its record and its promotions, newest first,
 * read a page at a time until the newest one that made its green live (usually the first page).
 */
export async function readLiveCluster(store: PromotionStore, record: PlatformRecord): Promise<LiveCluster> {
  return (await readPlatformHistory(store, record)).live;
}

/**
 * The live cluster and the platform's promotions since it became live (newest first), from the same
 * read: what a new promotion must know of the platform's recent past.
 */
export async function readPlatformHistory(
  store: PromotionStore,
  record: PlatformRecord,
): Promise<{ readonly live: LiveCluster; readonly sinceLive: readonly Promotion[] }> {
  const seen: Promotion[] = [];
  for (let offset = 0; ; offset += page) {
    const promotions = await store.list({ platform: record.name, limit: page, offset });
    seen.push(...promotions);
    if (promotions.length < page || promotions.some(madeLive)) break;
  }
  const made = seen.findIndex(madeLive);
  return { live: liveCluster(record, seen), sinceLive: made === -1 ? seen : seen.slice(0, made) };
}
