/**
 * Compile-time checks that the API's response schemas carry every field of the domain records they
 * show: a field added to the domain and not to src/api/schemas.ts fails `tsc`, instead of being dropped
 * silently from API and CLI output. Nothing here runs.
 */
import type { z } from 'zod';
import type { Gate, Promotion, RollbackState, TrafficState } from '../domain/promotion.js';
import type { LiveCluster } from '../domain/slots.js';
import type { StageStatus } from '../domain/stages.js';
import type { platformSchema, promotionSchema } from './schemas.js';

/** `true` when every key of Domain is a key of Api; otherwise a type naming the missing keys. */
type Covers<Api, Domain> = [Exclude<keyof Domain, keyof Api>] extends [never]
  ? true
  : { readonly missingFromApiSchema: Exclude<keyof Domain, keyof Api> };

type ApiPromotion = z.output<typeof promotionSchema>;
type ApiOf<K extends keyof ApiPromotion> = NonNullable<ApiPromotion[K]>;

export const coverage = {
  promotion: true satisfies Covers<ApiPromotion, Promotion>,
  traffic: true satisfies Covers<ApiOf<'traffic'>, TrafficState>,
  rollback: true satisfies Covers<ApiOf<'rollback'>, RollbackState>,
  gate: true satisfies Covers<ApiOf<'gates'>[number], Gate>,
  stage: true satisfies Covers<ApiOf<'stages'>[keyof ApiOf<'stages'>], StageStatus>,
  plan: true satisfies Covers<ApiOf<'plan'>, Promotion['plan']>,
  live: true satisfies Covers<z.output<typeof platformSchema>['live'], LiveCluster>,
} as const;
