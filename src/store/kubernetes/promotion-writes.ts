import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { isFinished, type NewEvent, type Promotion } from '../../domain/promotion.js';
import { FencedError, staleWriteError } from '../errors.js';
import { casAttempts, type StoreContext } from './context.js';
import { apiCode, decodeStored, type StoredPromotion } from './objects.js';
import { claimPlatform, releasePlatform } from './platform-claim.js';
import { epochToStore, writeStatus } from './status-write.js';

async function readStored(ctx: StoreContext, id: string): Promise<StoredPromotion | undefined> {
  const resource = await ctx.promotions.read(id);
  return resource && decodeStored(resource);
}

const isConflict = (error: unknown) => apiCode(error) === 409;

/**
 * Compare-and-swap on the store's version. A 409 from the apiserver means the resource moved since we
 * read it; when the stored version is still the one the caller read, only the log or the epoch moved
 * (an appendEvents, a fence, a kubectl edit of the spec), so writing again on the fresh copy merges
 * nothing and is not a lost update. When the version moved, the caller's decision is stale: a
 * ConflictError, never a merge.
 */
export async function updatePromotion(
  ctx: StoreContext,
  next: Promotion,
  events: readonly NewEvent[],
): Promise<Promotion> {
  return ctx.changes.writing(next.id, async () => {
    for (let attempt = 1; attempt <= casAttempts; attempt++) {
      const stored = await readStored(ctx, next.id);
      if (stored === undefined) throw new NotFoundError('promotion', next.id);
      if (stored.storage.version !== next.version) {
        throw staleWriteError(next.id, next.version, stored.storage.version);
      }
      const epoch = epochToStore(ctx, stored);
      const finishes = isFinished(next) && !isFinished(stored.record);
      // Unfinished again (a rollback asked of a finished one): it must hold the platform first.
      if (!isFinished(next) && isFinished(stored.record))
        await claimPlatform(ctx.claims, next.platform, next.id);
      const record: Promotion = { ...next, version: next.version + 1, updatedAt: ctx.now().toISOString() };
      let written: Awaited<ReturnType<typeof writeStatus>>;
      try {
        written = await writeStatus(ctx, stored, { record, epoch, events });
      } catch (error) {
        if (isConflict(error)) continue;
        throw error;
      }
      if (finishes) await releasePlatform(ctx.claims, next.platform, next.id);
      ctx.changes.committed(
        { promotionId: next.id, finished: isFinished(record) },
        written.resource.metadata?.resourceVersion,
      );
      ctx.announce(written.resource, written.added);
      return JSON.parse(JSON.stringify(record)) as Promotion;
    }
    throw new ConflictError(`promotion "${next.id}" kept changing under this write; read it again`);
  });
}

/** A status write that keeps the record and its version: append-only, so a 409 is simply retried. */
export async function appendPromotionEvents(
  ctx: StoreContext,
  promotionId: string,
  events: readonly NewEvent[],
): Promise<void> {
  return ctx.changes.writing(promotionId, async () => {
    for (let attempt = 1; attempt <= casAttempts; attempt++) {
      const stored = await readStored(ctx, promotionId);
      if (stored === undefined) throw new NotFoundError('promotion', promotionId);
      if (events.length === 0) return;
      const epoch = epochToStore(ctx, stored);
      try {
        const written = await writeStatus(ctx, stored, { record: stored.record, epoch, events });
        ctx.changes.committed({ promotionId, finished: false }, written.resource.metadata?.resourceVersion);
        ctx.announce(written.resource, written.added);
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    throw new ConflictError(`promotion "${promotionId}" kept changing under this append; try again`);
  });
}

/**
 * A new leader's first act: stamp its epoch on every unfinished promotion, so the former leader, should
 * it wake from a pause, finds a newer epoch at its next write and stops (FencedError). Record and
 * version stay as they are: the engine's copies are not made stale by a change of leader.
 */
export async function fenceActivePromotions(ctx: StoreContext, epoch: number): Promise<void> {
  const { items } = await ctx.promotions.list();
  for (const resource of items) {
    const first = decodeStored(resource);
    if (first === undefined || isFinished(first.record)) continue;
    await fenceOne(ctx, first, epoch);
  }
}

async function fenceOne(ctx: StoreContext, first: StoredPromotion, epoch: number): Promise<void> {
  const id = first.record.id;
  await ctx.changes.writing(id, async () => {
    let stored: StoredPromotion | undefined = first;
    for (let attempt = 1; attempt <= casAttempts && stored !== undefined; attempt++) {
      if (stored.storage.epoch > epoch) {
        ctx.onSuperseded();
        throw new FencedError(id, stored.storage.epoch, epoch);
      }
      if (stored.storage.epoch === epoch) return;
      try {
        const written = await writeStatus(ctx, stored, { record: stored.record, epoch, events: [] });
        // Nothing a listener needs to hear of; remembered so the watch does not report it as remote.
        ctx.changes.committed(undefined, written.resource.metadata?.resourceVersion);
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      stored = await readStored(ctx, id);
    }
    if (stored !== undefined) throw new ConflictError(`promotion "${id}" kept changing while fenced`);
  });
}
