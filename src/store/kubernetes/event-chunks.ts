import type { CoreV1Api, V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import type { PromotionEvent } from '../../domain/promotion.js';
import type { Chunk } from './event-log.js';
import { apiCode, eventChunkName, type PromotionResource, promotionLabel } from './objects.js';

type ConfigMaps = Pick<CoreV1Api, 'createNamespacedConfigMap' | 'readNamespacedConfigMap'>;

/** Where a sealed chunk goes: its ConfigMap's name, labels and owner (deleting the owner deletes it). */
export interface SealedChunkTarget {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly owner: V1OwnerReference;
}

/**
 * Seals committed events into an immutable ConfigMap. Found already there, it was sealed by a write that
 * crashed or lost its compare-and-swap after sealing: the same committed events, which is checked, not
 * assumed. Used for promotions' and fleet runs' logs alike.
 */
export async function sealEvents(
  core: ConfigMaps,
  namespace: string,
  target: SealedChunkTarget,
  events: readonly unknown[],
): Promise<void> {
  const { name } = target;
  const body: V1ConfigMap = {
    metadata: { name, labels: { ...target.labels }, ownerReferences: [target.owner] },
    immutable: true,
    data: { events: JSON.stringify(events) },
  };
  try {
    await core.createNamespacedConfigMap({ namespace, body });
    return;
  } catch (error) {
    if (apiCode(error) !== 409) throw error;
  }
  const existing = await core.readNamespacedConfigMap({ namespace, name });
  if (existing.data?.events !== body.data?.events) {
    throw new Error(`event chunk ${name} holds other events than the committed ones; refusing to write`);
  }
}

/** The events sealed in the chunk ConfigMap `name`. */
export async function readSealedEvents<T>(core: ConfigMaps, namespace: string, name: string): Promise<T[]> {
  const map = await core.readNamespacedConfigMap({ namespace, name });
  return JSON.parse(map.data?.events ?? '[]') as T[];
}

/** Seals a chunk of a promotion's committed events, owned by the Promotion. */
export function sealChunk(
  core: ConfigMaps,
  namespace: string,
  owner: PromotionResource,
  chunk: Chunk,
): Promise<void> {
  const promotionId = owner.metadata?.name ?? '';
  const target = {
    name: eventChunkName(promotionId, chunk.index),
    labels: { [promotionLabel]: promotionId },
    owner: {
      apiVersion: owner.apiVersion ?? '',
      kind: owner.kind ?? '',
      name: promotionId,
      uid: owner.metadata?.uid ?? '',
    },
  };
  return sealEvents(core, namespace, target, chunk.events);
}

/** The events sealed in chunk k of the promotion's log. */
export function readChunk(
  core: ConfigMaps,
  namespace: string,
  promotionId: string,
  k: number,
): Promise<PromotionEvent[]> {
  return readSealedEvents<PromotionEvent>(core, namespace, eventChunkName(promotionId, k));
}
