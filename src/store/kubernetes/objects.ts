/**
 * How the Kubernetes store lays its state out in one namespace: the names and labels of its objects, and
 * the encoding of a promotion in its Promotion resource's status. Pure: no API calls here.
 */
import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import type { Promotion, PromotionEvent } from '../../domain/promotion.js';
import { crdGroup, crdVersion, promotionNames } from '../../kube-native/crds.js';
import { upgradePromotion } from '../upgrade.js';

export const platformLabel = 'switchyard.dev/platform';
export const promotionLabel = 'switchyard.dev/promotion';
/** Marks a Promotion resource the store created for an API request (a kubectl-applied one has none). */
export const originAnnotation = 'switchyard.dev/origin';

export const promotionResources = {
  group: crdGroup,
  version: crdVersion,
  plural: promotionNames.plural,
} as const;

/** The ConfigMap whose existence says which promotion holds a platform: created, never read-then-created. */
export const claimName = (platform: string) => `switchyard-active.${platform}`;
/** The k-th sealed chunk (from 1) of a promotion's event log. */
export const eventChunkName = (promotionId: string, k: number) => `${promotionId}.events-${k}`;
export const platformRecordName = (platform: string) => `switchyard-platform.${platform}`;
export const auditHeadName = 'switchyard-audit';
/** The k-th sealed chunk (from 1) of the audit log. */
export const auditChunkName = (k: number) => `switchyard-audit-${k}`;

/** What the store keeps in `status.storage` (the CRD schema in src/kube-native/crds.ts describes it). */
export interface PromotionStorage {
  /** The domain record as JSON: the status beside it is a pruned view and cannot be read back exactly. */
  readonly record: string;
  readonly version: number;
  /** The leader term that last wrote it; status writes cannot change annotations, so it lives here. */
  readonly epoch: number;
  readonly createdRevision: string;
  /** The unsealed tail of the event log, as JSON. */
  readonly events: string;
  readonly nextSeq: number;
  readonly sealedChunks: number;
}

export interface PromotionResource extends KubernetesObject {
  spec?: { platform?: string; targetVersion?: string } & Record<string, unknown>;
  status?: Record<string, unknown> & { storage?: PromotionStorage };
}

/** A Promotion resource the store has accepted, decoded. */
export interface StoredPromotion {
  readonly resource: PromotionResource;
  readonly storage: PromotionStorage;
  readonly record: Promotion;
  /** The unsealed events, in seq order. */
  readonly tail: readonly PromotionEvent[];
}

/** The resource decoded, or undefined for a request no controller accepted yet (no storage). */
export function decodeStored(resource: PromotionResource): StoredPromotion | undefined {
  const storage = resource.status?.storage;
  if (storage === undefined) return undefined;
  return {
    resource,
    storage,
    record: upgradePromotion(JSON.parse(storage.record)),
    tail: JSON.parse(storage.events) as PromotionEvent[],
  };
}

/**
 * The status to write: the record as the API shows it (the apiserver prunes what the CRD schema does not
 * describe; the printer columns read it) and the storage that is the truth.
 */
export function statusOf(
  record: Promotion,
  storage: PromotionStorage,
): NonNullable<PromotionResource['status']> {
  return { ...structuredClone(record), storage };
}

/** The Promotion resource the store creates for a request that came through the API. */
export function newPromotionResource(record: Promotion): PromotionResource {
  return {
    apiVersion: `${crdGroup}/${crdVersion}`,
    kind: promotionNames.kind,
    metadata: {
      name: record.id,
      labels: { [platformLabel]: record.platform },
      annotations: { [originAnnotation]: 'api' },
    },
    spec: { platform: record.platform, targetVersion: record.toVersion },
  };
}

/**
 * Orders two resourceVersions. Kubernetes calls them opaque; the apiserver's etcd storage makes them the
 * etcd revision, a number that only grows, which is what gives promotions created in the same
 * millisecond their insertion order. Shorter-is-smaller keeps the comparison right without parsing.
 */
export function compareRevisions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The HTTP status of a failed API call, or undefined for anything else (a network error). */
export function apiCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Calls `call`, turning a 404 into undefined. */
export async function unlessMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (apiCode(error) === 404) return undefined;
    throw error;
  }
}
