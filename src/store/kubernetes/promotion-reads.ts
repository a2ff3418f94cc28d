import { isFinished, type Promotion, type PromotionEvent } from '../../domain/promotion.js';
import { eventPageOf, pageOf } from '../paging.js';
import type { EventPage, EventPageRequest, PromotionFilter } from '../store.js';
import type { StoreContext } from './context.js';
import { readChunk } from './event-chunks.js';
import { chunksHolding, mergeBySeq } from './event-log.js';
import { compareRevisions, decodeStored, platformLabel, type StoredPromotion } from './objects.js';

/** What a label value may be; anything else cannot be selected on, and is filtered here instead. */
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Every accepted promotion (requests without storage are skipped), of one platform when given. */
async function storedPromotions(ctx: StoreContext, platform?: string): Promise<StoredPromotion[]> {
  const selectable = platform !== undefined && platform.length <= 63 && labelValue.test(platform);
  const { items } = await ctx.promotions.list(selectable ? `${platformLabel}=${platform}` : undefined);
  return items.flatMap((resource) => {
    const stored = decodeStored(resource);
    return stored !== undefined && (platform === undefined || stored.record.platform === platform)
      ? [stored]
      : [];
  });
}

/** Oldest first: by createdAt, then by the revision at which the store took it (insertion order). */
function oldestFirst(a: StoredPromotion, b: StoredPromotion): number {
  const byTime =
    a.record.createdAt < b.record.createdAt ? -1 : a.record.createdAt > b.record.createdAt ? 1 : 0;
  return byTime !== 0 ? byTime : compareRevisions(a.storage.createdRevision, b.storage.createdRevision);
}

const newestFirst = (a: StoredPromotion, b: StoredPromotion) => oldestFirst(b, a);

export async function getPromotion(ctx: StoreContext, id: string): Promise<Promotion | undefined> {
  const resource = await ctx.promotions.read(id);
  return resource && decodeStored(resource)?.record;
}

export async function listPromotions(ctx: StoreContext, filter?: PromotionFilter): Promise<Promotion[]> {
  const { limit, offset } = pageOf(filter);
  const all = await storedPromotions(ctx, filter?.platform);
  return all
    .filter((p) => filter?.phase === undefined || p.record.phase === filter.phase)
    .sort(newestFirst)
    .slice(offset, offset + limit)
    .map((p) => p.record);
}

export async function activePromotions(ctx: StoreContext): Promise<Promotion[]> {
  const all = await storedPromotions(ctx);
  return all
    .filter((p) => !isFinished(p.record))
    .sort(oldestFirst)
    .map((p) => p.record);
}

export async function latestForPlatform(ctx: StoreContext, platform: string): Promise<Promotion | undefined> {
  const all = (await storedPromotions(ctx, platform)).sort(newestFirst);
  return (all.find((p) => !isFinished(p.record)) ?? all[0])?.record;
}

/** The promotion's events with seq from `from` to `to` (both included), from its chunks and its tail. */
async function eventsBetween(ctx: StoreContext, stored: StoredPromotion, from: number, to: number) {
  if (from > to) return [];
  const { sealedChunks } = stored.storage;
  const chunks = chunksHolding(from, to, sealedChunks, ctx.eventsPerChunk);
  const sealed = await Promise.all(
    chunks.map((k) => readChunk(ctx.core, ctx.namespace, stored.record.id, k)),
  );
  return mergeBySeq(...sealed, stored.tail).filter((e) => e.seq >= from && e.seq <= to);
}

async function storedOf(ctx: StoreContext, id: string): Promise<StoredPromotion | undefined> {
  const resource = await ctx.promotions.read(id);
  return resource && decodeStored(resource);
}

export async function promotionEvents(
  ctx: StoreContext,
  promotionId: string,
  afterSeq = 0,
): Promise<PromotionEvent[]> {
  const stored = await storedOf(ctx, promotionId);
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
  const stored = await storedOf(ctx, promotionId);
  if (stored === undefined) return { events: [], total: 0 };
  const total = stored.storage.nextSeq - 1;
  const [from, to] =
    afterSeq === undefined ? [total - limit + 1, total] : [afterSeq + 1, Math.min(total, afterSeq + limit)];
  return { events: await eventsBetween(ctx, stored, Math.max(1, from), to), total };
}
