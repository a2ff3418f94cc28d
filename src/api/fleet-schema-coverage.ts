/**
 * Compile-time checks that the fleet API's schemas carry every field of the fleet records they show, as
 * schema-coverage.ts does for promotions: a field added to src/domain/fleet.ts and not to
 * fleet-schemas.ts fails `tsc` instead of vanishing from API and CLI output. Nothing here runs.
 */
import type { z } from 'zod';
import type {
  FleetEvent,
  FleetMember,
  FleetRun,
  FleetStageRun,
  FleetStageSpec,
  FleetStrategy,
} from '../domain/fleet.js';
import type { FleetPlan, FleetPlanMember, FleetPlanStage } from '../fleet/surface.js';
import type { fleetEventSchema, fleetPlanSchema, fleetRunSchema } from './fleet-schemas.js';

type Covers<Api, Domain> = [Exclude<keyof Domain, keyof Api>] extends [never]
  ? true
  : { readonly missingFromApiSchema: Exclude<keyof Domain, keyof Api> };

type ApiRun = z.output<typeof fleetRunSchema>;
type ApiPlan = z.output<typeof fleetPlanSchema>;

export const fleetCoverage = {
  run: true satisfies Covers<ApiRun, FleetRun>,
  strategy: true satisfies Covers<ApiRun['strategy'], FleetStrategy>,
  stageSpec: true satisfies Covers<ApiRun['strategy']['stages'][number], FleetStageSpec>,
  stage: true satisfies Covers<ApiRun['stages'][number], FleetStageRun>,
  member: true satisfies Covers<ApiRun['members'][number], FleetMember>,
  event: true satisfies Covers<z.output<typeof fleetEventSchema>, FleetEvent>,
  plan: true satisfies Covers<ApiPlan, FleetPlan>,
  planStage: true satisfies Covers<ApiPlan['stages'][number], FleetPlanStage>,
  planMember: true satisfies Covers<ApiPlan['stages'][number]['members'][number], FleetPlanMember>,
} as const;
