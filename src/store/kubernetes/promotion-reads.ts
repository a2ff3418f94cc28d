import { isFinished, type Promotion, type PromotionEvent } from '../../domain/promotion.js';
import { eventPageOf, pageOf } from '../paging.js';
import type { EventPage, EventPageRequest, PromotionFilter } from '../store.js';
import type { StoreContext } from './context.js';
import { chunksHolding, mergeBySeq } from './event-log.js';
import { compareRevisions, type StoredPromotion } from './objects.js';

/*
 * The read methods. They read through ctx.reads (the informer's cache once synced, see
 * promotion-source.ts), whose objects later reads share: everything handed out is a copy.
 */

/** Oldest first: by createdAt, then by the revision at which the store took it (insertion order). */
function oldestFirst(a: StoredPromotion, b: StoredPromotion): number {
  const byTime =
    a.record.createdAt < b.record.createdAt ? -1 : a.record.createdAt > b.record.createdAt ? 1 : 0;
  return byTime !== 0 ? byTime : compareRevisions(a.storage.createdRevision, b.storage.createdRevision);
}

const newestFirst = (a: StoredPromotion, b: StoredPromotion) => oldestFirst(b, a);

const records = (stored: readonly StoredPromotion[]): Promotion[] =>
  stored.map((p) => structuredClone(p.record));

export async function getPromotion(ctx: StoreContext, id: string): Promise<Promotion | undefined> {
  const stored = await ctx.reads.one(id);
  return stored && structuredClone(stored.record);
}

export async function listPromotions(ctx: StoreContext, filter?: PromotionFilter): Promise<Promotion[]> {
  const { limit, offset } = pageOf(filter);
  const all = await ctx.reads.all(filter?.platform);
  return records(
    all
      .filter((p) => filter?.phase === undefined || p.record.phase === filter.phase)
      .sort(newestFirst)
      .slice(offset, offset + limit),
  );
}

export async function activePromotions(ctx: StoreContext): Promise<Promotion[]> {
  const all = await ctx.reads.all();
  return records(all.filter((p) => !isFinished(p.record)).sort(oldestFirst));
}

export async function latestForPlatform(ctx: StoreContext, platform: string): Promise<Promotion | undefined> {
  const all = (await ctx.reads.all(platform)).sort(newestFirst);
  const latest = all.find((p) => !isFinished(p.record)) ?? all[0];
  return latest && structuredClone(latest.record);
}

/** The promotion's events with seq from `from` to `to` (both included), from its chunks and its tail. */
async function eventsBetween(
  ctx: StoreContext,
  stored: StoredPromotion,
  from: number,
  to: number,
): Promise<PromotionEvent[]> {
  if (from > to) return [];
  const { sealedChunks } = stored.storage;
  const chunks = chunksHolding(from, to, sealedChunks, ctx.eventsPerChunk);
  const sealed = await Promise.all(chunks.map((k) => ctx.reads.chunk(stored, k)));
  return structuredClone(mergeBySeq(...sealed, stored.tail).filter((e) => e.seq >= from && e.seq <= to));
}

export async function promotionEvents(
  ctx: StoreContext,
  promotionId: string,
  afterSeq = 0,
): Promise<PromotionEvent[]> {
  const stored = await ctx.reads.one(promotionId);
  if (stored === undefined) return [];
  return eventsBetween(ctx, stored, afterSeq + 1, stored.storage.nextSeq - 1);
}

/** Seqs run 1 … total without gaps, so a page is a range of seqs: only the chunks holding it are read. */
export async function promotionEventPage(
  ctx: StoreContext,
  promotionId: string,
  request: EventPageRequest,
): Promise<EventPage> {
  const { afterSeq, limit } = eventPageOf(request);
  const stored = await ctx.reads.one(promotionId);
  if (stored === undefined) return { events: [], total: 0 };
  const total = stored.storage.nextSeq - 1;
  const [from, to] =
    afterSeq === undefined ? [total - limit + 1, total] : [afterSeq + 1, Math.min(total, afterSeq + limit)];
  return { events: await eventsBetween(ctx, stored, Math.max(1, from), to), total };
}
