import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ActivePromotionExistsError, ConflictError } from '../../domain/errors.js';
import { isFinished } from '../../domain/promotion.js';
import { apiCode, claimName, decodeStored, platformLabel, unlessMissing } from './objects.js';
import type { PromotionApi } from './promotion-api.js';

type ConfigMaps = Pick<
  CoreV1Api,
  'createNamespacedConfigMap' | 'readNamespacedConfigMap' | 'deleteNamespacedConfigMap'
>;

export interface ClaimContext {
  readonly core: ConfigMaps;
  readonly promotions: PromotionApi;
  readonly namespace: string;
  readonly log: Logger;
  /**
   * A claim held by a request that never got its status this long after the request was created is
   * left from an interrupted create. Compared with the apiserver's creationTimestamp on the real clock,
   * not the store's `now` (which tests set to a fixed instant).
   */
  readonly interruptedCreateAfterMs: number;
}

export const defaultInterruptedCreateAfterMs = 30_000;

/** Attempts at replacing stale claims before giving up (each one found stale is removed first). */
const claimAttempts = 5;

/**
 * Makes `promotionId` the platform's one active promotion. The claim is a ConfigMap created with
 * `create`, which the apiserver lets exactly one caller do, so two replicas starting promotions for one
 * platform at the same moment cannot both win (no read-then-create window). A claim already there wins
 * unless it is stale: its promotion is gone, finished, or a request whose create was interrupted; a
 * stale claim is deleted with uid and resourceVersion preconditions (so only the stale one goes) and
 * the claim is tried again. Throws ActivePromotionExistsError naming the holder otherwise.
 */
export async function claimPlatform(ctx: ClaimContext, platform: string, promotionId: string): Promise<void> {
  const { core, namespace } = ctx;
  const name = claimName(platform);
  const body: V1ConfigMap = {
    metadata: { name, labels: { [platformLabel]: platform } },
    data: { promotion: promotionId },
  };
  for (let attempt = 1; attempt <= claimAttempts; attempt++) {
    try {
      await core.createNamespacedConfigMap({ namespace, body });
      return;
    } catch (error) {
      if (apiCode(error) !== 409) throw error;
    }
    const claim = await unlessMissing(core.readNamespacedConfigMap({ namespace, name }));
    if (claim === undefined) continue; // released between our create and our read: create again
    const holder = claim.data?.promotion ?? '';
    if (holder === promotionId) return; // ours, from an earlier attempt at this very create
    const stale = await staleHolder(ctx, holder);
    if (stale === false) throw new ActivePromotionExistsError(platform, holder);
    ctx.log.info({ platform, holder, why: stale }, 'replacing a stale platform claim');
    await deleteClaim(ctx, claim);
  }
  throw new ConflictError(`platform "${platform}": its claim kept changing; try again`);
}

/** Why the holder no longer holds the platform, or false while it does. */
async function staleHolder(ctx: ClaimContext, holder: string): Promise<string | false> {
  const resource = await ctx.promotions.read(holder);
  if (resource === undefined) return 'its promotion is gone';
  const stored = decodeStored(resource);
  if (stored !== undefined) return isFinished(stored.record) ? 'its promotion finished' : false;
  const created = Date.parse(resource.metadata?.creationTimestamp?.toString() ?? '');
  const age = Date.now() - created;
  return age >= ctx.interruptedCreateAfterMs ? 'its create was interrupted' : false;
}

/**
 * Lets the platform go after its promotion finished. Best effort: a claim left behind is stale (its
 * holder finished) and the next create replaces it.
 */
export async function releasePlatform(
  ctx: ClaimContext,
  platform: string,
  promotionId: string,
): Promise<void> {
  try {
    const claim = await unlessMissing(
      ctx.core.readNamespacedConfigMap({ namespace: ctx.namespace, name: claimName(platform) }),
    );
    if (claim?.data?.promotion !== promotionId) return;
    await deleteClaim(ctx, claim);
  } catch (error) {
    ctx.log.warn(
      { err: error, platform, promotionId },
      'could not release the platform claim; the next create replaces it',
    );
  }
}

/** Deletes exactly this claim: a 404 or 409 means someone else already replaced or removed it. */
async function deleteClaim(ctx: ClaimContext, claim: V1ConfigMap): Promise<void> {
  try {
    await ctx.core.deleteNamespacedConfigMap({
      namespace: ctx.namespace,
      name: claim.metadata?.name ?? '',
      body: {
        preconditions: {
          uid: claim.metadata?.uid ?? '',
          resourceVersion: claim.metadata?.resourceVersion ?? '',
        },
      },
    });
  } catch (error) {
    const code = apiCode(error);
    if (code !== 404 && code !== 409) throw error;
  }
}
