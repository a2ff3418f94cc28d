/**
 * A Promotion resource as the GitOps controller reads it (plain JSON from the custom objects API), and
 * what kind of thing it stands for: a promotion the store keeps (it has `status.storage`), a request a
 * person applied, or the first half of an API create that has not written its status yet.
 */
import { originAnnotation } from '../../store/kubernetes/objects.js';

/** A managedFields entry, as the apiserver returns it in JSON. */
export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly time?: string | Date;
  readonly fieldsV1?: unknown;
}

export interface PromotionResource {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly resourceVersion?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly managedFields?: readonly ManagedFieldsEntry[];
  };
  readonly spec?: unknown;
  readonly status?: {
    readonly storage?: unknown;
    readonly phase?: string;
    readonly traffic?: {
      readonly green?: number;
      readonly manual?: boolean;
      readonly manualChange?: { readonly green?: number };
    };
  };
}

export type ResourceRole =
  /** The store holds a promotion here: spec edits are actions on it. */
  | 'promotion'
  /** Applied by a person (kubectl apply, a GitOps tool): a promotion to start. */
  | 'request'
  /** The store created it for an API request and has not written its status yet (or crashed before). */
  | 'interrupted-api-create';

export function roleOf(resource: PromotionResource): ResourceRole {
  if (resource.status?.storage !== undefined) return 'promotion';
  if (resource.metadata.annotations?.[originAnnotation] === 'api') return 'interrupted-api-create';
  return 'request';
}

/** metadata.generation: bumped by the apiserver on every spec change (never by status or metadata). */
export function generationOf(resource: PromotionResource): number {
  return resource.metadata.generation ?? 0;
}
