import type { NewEvent, Promotion, PromotionEvent } from '../../domain/promotion.js';
import { FencedError } from '../errors.js';
import type { StoreContext } from './context.js';
import { sealChunk } from './event-chunks.js';
import { chunksToSeal, numbered } from './event-log.js';
import { type PromotionResource, type StoredPromotion, statusOf } from './objects.js';

/**
 * The epoch a write stores. A leader (epoch defined) refuses to write over a newer leader's epoch,
 * tells the elector, and stamps its own; a follower keeps what is stored and relies on compare-and-swap
 * alone, since API commands are legitimate on any replica.
 */
export function epochToStore(ctx: StoreContext, stored: StoredPromotion): number {
  const ours = ctx.epoch();
  const theirs = stored.storage.epoch;
  if (ours === undefined) return theirs;
  if (theirs > ours) {
    ctx.onSuperseded();
    throw new FencedError(stored.record.id, theirs, ours);
  }
  return ours;
}

export interface Written {
  readonly resource: PromotionResource;
  /** The log entries this write added, as stored. */
  readonly added: readonly PromotionEvent[];
}

/**
 * One status write over `current` (its resourceVersion is the precondition, so a 409 means someone
 * wrote in between and nothing was merged): the record, and the events appended to the log's tail in
 * the same write, so a crash leaves both or neither. Full chunks of the committed tail are sealed into
 * their ConfigMaps first, and dropped from the tail by this write.
 */
export async function writeStatus(
  ctx: StoreContext,
  current: StoredPromotion,
  change: { readonly record: Promotion; readonly epoch: number; readonly events: readonly NewEvent[] },
): Promise<Written> {
  const { storage, tail } = current;
  const chunks = chunksToSeal(tail, storage.sealedChunks, ctx.eventsPerChunk);
  for (const chunk of chunks) await sealChunk(ctx.core, ctx.namespace, current.resource, chunk);
  const at = ctx.now().toISOString();
  const added = numbered(change.record.id, storage.nextSeq, at, change.events);
  const kept = tail.slice(chunks.length * ctx.eventsPerChunk);
  const nextStorage = {
    record: JSON.stringify(change.record),
    version: change.record.version,
    epoch: change.epoch,
    createdRevision: storage.createdRevision,
    events: JSON.stringify([...kept, ...added]),
    nextSeq: storage.nextSeq + added.length,
    sealedChunks: storage.sealedChunks + chunks.length,
  };
  const resource = await ctx.promotions.replaceStatus({
    ...current.resource,
    status: statusOf(change.record, nextStorage),
  });
  return { resource, added };
}
