import { type CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type PromotionResource, promotionResources, unlessMissing } from './objects.js';

/** The calls the store makes on Promotion resources in its namespace, typed. */
export interface PromotionApi {
  read(name: string): Promise<PromotionResource | undefined>;
  create(body: PromotionResource): Promise<PromotionResource>;
  /** PUT …/status: the body's metadata.resourceVersion is the precondition (a 409 when it moved on). */
  replaceStatus(body: PromotionResource): Promise<PromotionResource>;
  /** Adds labels (a JSON merge patch: no precondition needed, other labels are kept). */
  label(name: string, labels: Record<string, string>): Promise<PromotionResource>;
  list(labelSelector?: string): Promise<{ items: PromotionResource[]; resourceVersion: string }>;
  /**
   * Deletes it if it is still the object read (its uid, and its resourceVersion when given); a 409 when
   * it changed since, and gone already is fine.
   */
  delete(name: string, preconditions: { uid: string; resourceVersion?: string }): Promise<void>;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function promotionApi(objects: CustomObjectsApi, namespace: string): PromotionApi {
  const where = { ...promotionResources, namespace };
  return {
    read: (name) => unlessMissing(objects.getNamespacedCustomObject({ ...where, name })),
    create: (body) => objects.createNamespacedCustomObject({ ...where, body }),
    replaceStatus: (body) =>
      objects.replaceNamespacedCustomObjectStatus({ ...where, name: body.metadata?.name ?? '', body }),
    label: (name, labels) =>
      objects.patchNamespacedCustomObject({ ...where, name, body: { metadata: { labels } } }, mergePatch),
    async list(labelSelector) {
      const list = (await objects.listNamespacedCustomObject({
        ...where,
        ...(labelSelector === undefined ? {} : { labelSelector }),
      })) as { items: PromotionResource[]; metadata?: { resourceVersion?: string } };
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    async delete(name, preconditions) {
      await unlessMissing(objects.deleteNamespacedCustomObject({ ...where, name, body: { preconditions } }));
    },
  };
}
