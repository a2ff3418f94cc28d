import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { PromotionEvent } from '../../domain/promotion.js';
import type { Chunk } from './event-log.js';
import { apiCode, eventChunkName, type PromotionResource, promotionLabel } from './objects.js';

type ConfigMaps = Pick<CoreV1Api, 'createNamespacedConfigMap' | 'readNamespacedConfigMap'>;

/**
 * Seals a chunk of a promotion's committed events into an immutable ConfigMap owned by the Promotion (so
 * deleting the Promotion deletes its log). Found already there, it was sealed by a write that crashed
 * or lost its compare-and-swap after sealing: the same committed events, which is checked, not assumed.
 */
export async function sealChunk(
  core: ConfigMaps,
  namespace: string,
  owner: PromotionResource,
  chunk: Chunk,
): Promise<void> {
  const promotionId = owner.metadata?.name ?? '';
  const name = eventChunkName(promotionId, chunk.index);
  const body: V1ConfigMap = {
    metadata: {
      name,
      labels: { [promotionLabel]: promotionId },
      ownerReferences: [
        {
          apiVersion: owner.apiVersion ?? '',
          kind: owner.kind ?? '',
          name: promotionId,
          uid: owner.metadata?.uid ?? '',
        },
      ],
    },
    immutable: true,
    data: { events: JSON.stringify(chunk.events) },
  };
  try {
    await core.createNamespacedConfigMap({ namespace, body });
    return;
  } catch (error) {
    if (apiCode(error) !== 409) throw error;
  }
  const existing = await core.readNamespacedConfigMap({ namespace, name });
  if (existing.data?.events !== body.data?.events) {
    throw new Error(
      `event chunk ${name} exists with other events than the committed ones; refusing to write`,
    );
  }
}

/** The events sealed in chunk k of the promotion's log. */
export async function readChunk(
  core: ConfigMaps,
  namespace: string,
  promotionId: string,
  k: number,
): Promise<PromotionEvent[]> {
  const map = await core.readNamespacedConfigMap({ namespace, name: eventChunkName(promotionId, k) });
  return JSON.parse(map.data?.events ?? '[]') as PromotionEvent[];
}
