/**
 * A Promotion resource a person applied, read as the request POST /v1/promotions would make: the spec
 * checked with the same schema, the resource's name as the promotion's id, the spec's field manager as
 * who asked.
 */
import { idMaxLength } from '../../api/http-schemas.js';
import { InvalidInputError } from '../../domain/errors.js';
import { type PromotionSpec, promotionSpecSchema } from '../promotion-spec.js';
import { specActor } from './field-manager.js';
import type { PromotionResource } from './resource.js';

/** What the catalog's newPromotion takes. */
export interface PromotionRequest {
  readonly id: string;
  readonly platform: string;
  readonly targetVersion: string;
  readonly createdBy: string;
  readonly rollback?: NonNullable<NonNullable<PromotionSpec['options']>['rollback']>;
}

/** The valid spec, or InvalidInputError naming the first bad field (spec.<path>). */
export function parsedSpec(resource: PromotionResource): PromotionSpec {
  const parsed = promotionSpecSchema.safeParse(resource.spec);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = ['spec', ...(issue?.path ?? []).map(String)].join('.');
    throw new InvalidInputError(path, issue?.message ?? 'invalid');
  }
  return parsed.data;
}

export function promotionRequestOf(resource: PromotionResource): PromotionRequest {
  const { name } = resource.metadata;
  // Kubernetes allows names up to 253 characters; the API's promotion ids stop at idMaxLength.
  if (name.length > idMaxLength) {
    throw new InvalidInputError('metadata.name', `a promotion id has at most ${idMaxLength} characters`);
  }
  const spec = parsedSpec(resource);
  const rollback = spec.options?.rollback;
  return {
    id: name,
    platform: spec.platform,
    // As the REST API does: "v1.35" and "1.35" ask for the same version.
    targetVersion: spec.targetVersion.replace(/^v/, ''),
    createdBy: specActor(resource, 'targetVersion'),
    ...(rollback === undefined ? {} : { rollback }),
  };
}
