/**
 * Who set a field of a resource, from its managedFields: the apiserver records, per field manager
 * (kubectl, kubectl-client-side-apply, argocd-controller, flux…), the fields it last wrote. That is
 * the closest Kubernetes comes to "who asked", so it goes into the promotion's events as the actor.
 */
import type { ManagedFieldsEntry, PromotionResource } from './resource.js';

/**
 * The manager of `spec.<field>` (of the spec as a whole without a field). When several share it (two
 * server-side appliers agreeing on a value), the most recent write wins. Status writes are skipped: the
 * controller writes those itself.
 */
export function specFieldManager(resource: PromotionResource, field?: string): string | undefined {
  const owners = (resource.metadata.managedFields ?? []).filter(
    (entry) => entry.subresource !== 'status' && ownsSpecField(entry, field),
  );
  const newest = owners.reduce<ManagedFieldsEntry | undefined>(
    (best, entry) => (best === undefined || timeOf(entry) >= timeOf(best) ? entry : best),
    undefined,
  );
  return newest?.manager;
}

/** The actor of a spec change, as events and pause reasons name it. */
export function specActor(resource: PromotionResource, field?: string): string {
  const manager = specFieldManager(resource, field);
  return manager === undefined ? 'kubernetes' : `kubernetes:${manager}`;
}

function ownsSpecField(entry: ManagedFieldsEntry, field: string | undefined): boolean {
  const spec = fieldSet(entry.fieldsV1)?.['f:spec'];
  if (field === undefined) return spec !== undefined;
  return fieldSet(spec)?.[`f:${field}`] !== undefined;
}

function fieldSet(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function timeOf(entry: ManagedFieldsEntry): number {
  return entry.time === undefined ? 0 : new Date(entry.time).getTime();
}
