import { ConflictError } from '../../domain/errors.js';
import { isFinished, type NewEvent, type Promotion } from '../../domain/promotion.js';
import { duplicateIdError } from '../errors.js';
import type { StoreContext } from './context.js';
import {
  apiCode,
  decodeStored,
  newPromotionResource,
  type PromotionResource,
  platformLabel,
  type StoredPromotion,
} from './objects.js';
import { claimPlatform, releasePlatform } from './platform-claim.js';
import { writeStatus } from './status-write.js';

/** Rounds of "someone changed the request resource between our steps" before giving up. */
const createAttempts = 3;

/**
 * Stores a new promotion in three steps, each safe to be interrupted:
 * (a) the Promotion resource, or, when one of that name exists without storage and asks for the same
 *     platform, adopt it: that is how a `kubectl apply`-ed request becomes a promotion;
 * (b) the platform's claim (platform-claim.ts), which is what makes a second active promotion impossible;
 * (c) the status: record, version 1 and first events in one write.
 * A crash after (a) leaves a request without storage, which readers skip; after (b), a claim that turns
 * stale 30 s later. A refused create removes the resource it made, so nothing of it stays.
 */
export async function createPromotion(
  ctx: StoreContext,
  promotion: Promotion,
  events: readonly NewEvent[],
): Promise<Promotion> {
  return ctx.changes.writing(promotion.id, async () => {
    for (let attempt = 1; attempt <= createAttempts; attempt++) {
      const { resource, createdByUs } = await requestResource(ctx, promotion);
      let claimed = false;
      try {
        if (!isFinished(promotion)) {
          await claimPlatform(ctx.claims, promotion.platform, promotion.id);
          claimed = true;
        }
        const record: Promotion = { ...promotion, version: 1 };
        const written = await writeStatus(ctx, unstored(ctx, resource, promotion), {
          record,
          epoch: ctx.epoch() ?? 0,
          events,
        });
        ctx.changes.committed(
          { promotionId: promotion.id, finished: isFinished(record) },
          written.resource.metadata?.resourceVersion,
        );
        ctx.announce(written.resource, written.added);
        return JSON.parse(JSON.stringify(record)) as Promotion;
      } catch (error) {
        const raced = apiCode(error) === 409;
        // Our resource, unchanged since we made it (the resourceVersion precondition): nobody else uses it.
        if (createdByUs && !raced) await removeRequest(ctx, resource);
        if (claimed && !raced) await releasePlatform(ctx.claims, promotion.platform, promotion.id);
        if (!raced) throw error;
      }
      // The status write lost a race: another create of this id won, or someone edited the request.
      const now = await ctx.promotions.read(promotion.id);
      if (now !== undefined && decodeStored(now) !== undefined) throw duplicateIdError(promotion.id);
    }
    throw new ConflictError(`promotion "${promotion.id}": its request kept changing while it was created`);
  });
}

/** Step (a): our new resource, or the storage-less request of the same name and platform to adopt. */
async function requestResource(
  ctx: StoreContext,
  promotion: Promotion,
): Promise<{ resource: PromotionResource; createdByUs: boolean }> {
  try {
    return { resource: await ctx.promotions.create(newPromotionResource(promotion)), createdByUs: true };
  } catch (error) {
    if (apiCode(error) !== 409) throw error;
  }
  const existing = await ctx.promotions.read(promotion.id);
  if (existing === undefined)
    throw new ConflictError(`promotion "${promotion.id}" was deleted while created`);
  if (decodeStored(existing) !== undefined) throw duplicateIdError(promotion.id);
  const asked = existing.spec?.platform;
  if (asked !== promotion.platform) {
    throw new ConflictError(
      `promotion "${promotion.id}" already exists as a request for platform "${asked}"`,
    );
  }
  return { resource: await labelled(ctx, existing, promotion.platform), createdByUs: false };
}

/** An adopted request gets the platform label the store selects by (kubectl users rarely set it). */
async function labelled(
  ctx: StoreContext,
  resource: PromotionResource,
  platform: string,
): Promise<PromotionResource> {
  if (resource.metadata?.labels?.[platformLabel] === platform) return resource;
  return ctx.promotions.label(resource.metadata?.name ?? '', { [platformLabel]: platform });
}

/** A resource not stored yet, as the status write's starting point: an empty log at seq 1. */
function unstored(ctx: StoreContext, resource: PromotionResource, promotion: Promotion): StoredPromotion {
  return {
    resource,
    record: promotion,
    tail: [],
    storage: {
      record: '',
      version: 0,
      epoch: ctx.epoch() ?? 0,
      // The resourceVersion of the resource as created (or adopted): an etcd revision, which only grows,
      // so it orders promotions created in the same millisecond by when the store took them.
      createdRevision: resource.metadata?.resourceVersion ?? '',
      events: '[]',
      nextSeq: 1,
      sealedChunks: 0,
    },
  };
}

async function removeRequest(ctx: StoreContext, resource: PromotionResource): Promise<void> {
  const { name = '', uid = '', resourceVersion } = resource.metadata ?? {};
  try {
    await ctx.promotions.delete(name, resourceVersion === undefined ? { uid } : { uid, resourceVersion });
  } catch (error) {
    ctx.log.warn({ err: error, promotionId: name }, 'could not remove the request of a refused create');
  }
}
