/**
 * The fleet API's request and response shapes (strategies, plans, runs, their events), beside
 * schemas.ts for promotions: the single source for validation, serialization and the OpenAPI document.
 */
import { z } from 'zod';
import {
  fleetEventTypes,
  fleetFailureActions,
  fleetMemberStates,
  fleetRunStates,
  fleetStageStates,
  weekdays,
} from '../domain/fleet.js';
import { createPromotionSchema } from './schemas.js';

const isoTime = z.string().describe('RFC 3339 timestamp');
const name = z.string().min(1).max(100);
const labels = z.record(z.string(), z.string());
const minuteOfDay = z.int().min(0).max(1440);

/** A share of a stage's members, "50%"; the template keeps the domain's `${number}%` type. */
const share = z.templateLiteral([z.number(), z.literal('%')]);
const countOrPercent = z
  .union([z.int(), share])
  .describe('a number of members, or a share of them such as "50%"');

const gateSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('approval') }).describe('a person approves the stage'),
    z
      .object({ kind: z.literal('wait'), ms: z.int() })
      .describe('a wait after the previous stage finished (after the run started, for the first)'),
  ])
  .meta({ id: 'FleetGate' });

const windowSchema = z
  .object({
    kind: z.enum(['allow', 'deny']),
    days: z.array(z.enum(weekdays)).readonly().optional().describe('UTC weekdays; absent: every day'),
    startMinute: minuteOfDay.describe('minutes after midnight UTC'),
    endMinute: minuteOfDay.describe('minutes after midnight UTC, exclusive'),
  })
  .meta({ id: 'FleetWindow' });

const stageSpecSchema = z
  .object({
    name: z.string(),
    selector: labels.describe('platforms whose labels contain all of these'),
    maxConcurrency: countOrPercent,
    maxFailures: countOrPercent.describe('failures allowed before onFailure applies'),
    memberSoakMs: z.int().describe('how long a promotion must stay at the decommission gate to count'),
    after: z.array(gateSchema).readonly(),
    onFailure: z.enum(fleetFailureActions),
    orderBy: z.string().optional().describe('members start in ascending order of this label'),
  })
  .meta({ id: 'FleetStageSpec' });

/** A strategy as the fleet layer holds it once parsed (durations in ms, windows in minutes). */
export const fleetStrategySchema = z
  .object({
    name: z.string(),
    stages: z.array(stageSpecSchema).readonly(),
    windows: z.array(windowSchema).readonly(),
    memberStartDeadlineMs: z.int().describe('how long a member may fail to start before it counts as failed'),
  })
  .meta({ id: 'FleetStrategy' });

/**
 * A strategy given whole in a request: the format of a strategy file (fleets/<name>.yaml, see the
 * README), as JSON. The config's own parser checks it (src/config/fleet-schema.ts), so a file and a
 * request follow one set of rules; a problem is a 400 naming the field under body.strategy.
 */
const inlineStrategySchema = z.record(z.string(), z.unknown()).meta({
  id: 'FleetStrategyFile',
  description:
    'a strategy in the format of a fleets/<name>.yaml file (durations such as "5m", gates {approval: true} or {wait: "10m"}, windows {deny|allow: {days, start, end}}), checked as a file is',
  examples: [
    {
      name: 'two-waves',
      stages: [
        { name: 'dev', selector: { env: 'dev' }, maxConcurrency: '100%', memberSoak: '5m' },
        {
          name: 'prod',
          selector: { env: 'prod' },
          maxConcurrency: 1,
          maxFailures: 0,
          memberSoak: '15m',
          after: [{ approval: true }],
          onFailure: 'rollback-in-flight',
        },
      ],
      windows: [{ deny: { days: ['sat', 'sun'], start: '00:00', end: '24:00' } }],
    },
  ],
});

export const fleetStrategyListSchema = z
  .object({ items: z.array(fleetStrategySchema) })
  .meta({ id: 'FleetStrategyList' });

/** POST /v1/fleet-plans and /v1/fleet-runs: a strategy by name (a file in fleetsDir) or given whole. */
export const fleetRunRequestSchema = z
  .strictObject({
    strategy: z.union([
      name.describe('the name of a strategy (GET /v1/fleet-strategies)'),
      inlineStrategySchema,
    ]),
    targetVersion: createPromotionSchema.shape.targetVersion,
  })
  .meta({ id: 'FleetRunRequest' });

export const fleetPlanSchema = z
  .object({
    strategy: fleetStrategySchema,
    targetVersion: z.string(),
    stages: z
      .array(
        z.object({
          name: z.string(),
          concurrency: z.int(),
          failureBudget: z.int(),
          members: z
            .array(
              z.object({
                platform: z.string(),
                labels,
                order: z.int(),
                blockers: z
                  .array(z.string())
                  .readonly()
                  .describe('what would keep it from starting now; empty: nothing'),
              }),
            )
            .readonly(),
        }),
      )
      .readonly(),
    unselected: z.array(z.string()).readonly().describe('platforms no stage selects'),
  })
  .meta({ id: 'FleetPlan' });

const gateStatusSchema = z.object({
  gate: gateSchema,
  metAt: isoTime.optional().describe('absent while the gate holds the stage'),
  by: z.string().optional(),
});

const stageRunSchema = z.object({
  name: z.string(),
  state: z.enum(fleetStageStates),
  gates: z.array(gateStatusSchema).readonly(),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  failureBudget: z.int(),
  concurrency: z.int(),
  message: z.string().optional(),
});

const memberSchema = z.object({
  platform: z.string(),
  stage: z.string(),
  order: z.int(),
  state: z.enum(fleetMemberStates),
  promotionId: z.string().optional().describe('the promotion this run uses for the member'),
  firstAttemptAt: isoTime.optional(),
  attempts: z.int(),
  lastError: z.string().optional(),
  startedAt: isoTime.optional(),
  soakUntil: isoTime.optional(),
  finishedAt: isoTime.optional(),
  message: z.string().optional(),
  rollbackRequested: z.boolean().optional(),
});

export const fleetRunSchema = z
  .object({
    id: z.string(),
    version: z.int(),
    strategy: fleetStrategySchema.describe('the strategy as it was when the run started'),
    targetVersion: z.string(),
    state: z.enum(fleetRunStates),
    reason: z.string().optional(),
    stoppingAs: z.enum(['stopped', 'aborted']).optional(),
    stages: z.array(stageRunSchema).readonly(),
    members: z.array(memberSchema).readonly(),
    createdBy: z.string(),
    createdAt: isoTime,
    updatedAt: isoTime,
    finishedAt: isoTime.optional(),
    nextRunAt: isoTime.optional(),
  })
  .meta({ id: 'FleetRun' });

export const fleetRunListSchema = z
  .object({ items: z.array(fleetRunSchema), limit: z.int(), offset: z.int() })
  .meta({ id: 'FleetRunList' });

export const fleetRunListQuerySchema = z.strictObject({
  state: z.enum(fleetRunStates).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const fleetEventSchema = z
  .object({
    seq: z.int(),
    runId: z.string(),
    at: isoTime,
    type: z.enum(fleetEventTypes),
    message: z.string(),
    actor: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'FleetEvent' });

/** One server-sent event of GET /v1/fleet-runs/{id}/events. */
export const fleetServerSentEventSchema = z
  .object({
    id: z.string().describe("the event's seq; send the last one seen as Last-Event-ID to resume after it"),
    event: z.string().describe("the event's type, e.g. fleet.member.started"),
    data: z
      .string()
      .meta({
        contentMediaType: 'application/json',
        contentSchema: { $ref: `#/components/schemas/${fleetEventSchema.meta()?.id}` },
      })
      .describe('the FleetEvent as JSON'),
  })
  .meta({ id: 'FleetServerSentEvent' });

const reason = z.string().min(1).max(500);
export const fleetPauseSchema = z.strictObject({ reason: reason.default('paused by request') });
export const fleetStopSchema = z.strictObject({ reason }).meta({ id: 'FleetStopRequest' });
export const fleetApproveSchema = z.strictObject({ stage: name }).meta({ id: 'FleetApproval' });
