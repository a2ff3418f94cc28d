/**
 * The API's request and response shapes: the single source for validation, serialization and the
 * OpenAPI document. Names given with `.meta({ id })` become components in the document.
 */
import { z } from 'zod';
import { promotionPhases } from '../domain/promotion.js';
import { slotNames } from '../domain/slots.js';
import { stageNames, stageStates } from '../domain/stages.js';
import { routerNames } from '../routers/names.js';
import { analysisSpecSchema } from './analysis-schemas.js';
import { roles } from './auth.js';
import { probeProgressFields, probeSpecSchema } from './probe-schemas.js';

const isoTime = z.string().describe('RFC 3339 timestamp');
const slot = z.enum(slotNames).describe('a platform cluster slot');
const percent = z.int().min(0).max(100);

export const errorSchema = z
  .object({
    error: z.string().describe('machine-readable kind, e.g. invalid_input, conflict, not_found'),
    message: z.string(),
    /** For invalid input: one entry per problem, with the path of the field. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

const verdict = z.enum(['pass', 'fail', 'inconclusive']);
const analysisVerdict = z.enum(['running', 'passed', 'failed', 'inconclusive']);

const measurementSchema = z
  .object({
    at: isoTime,
    verdict: verdict.describe('no data or a provider error is inconclusive, never fail'),
    green: z.number().optional(),
    blue: z.number().optional().describe("blue's value, when the analysis compares green with blue"),
    message: z.string(),
  })
  .meta({ id: 'Measurement' });

/** The shift-traffic stage's saved status: where the shift is, and the canary analysis measurements. */
const shiftTrafficProgressSchema = z
  .looseObject({
    step: z.int().describe('index of the current traffic step, from 0'),
    part: z.enum(['check', 'verify', 'bake']),
    changeId: z.string().optional(),
    bakeUntil: isoTime.optional(),
    analysis: z
      .object({
        startedAt: isoTime,
        runs: z.array(
          z.object({
            name: z.string(),
            verdict: analysisVerdict,
            nextAt: isoTime.optional().describe('when the next measurement is due'),
            measurements: z.array(measurementSchema).describe('at most the analysis count'),
          }),
        ),
        gate: z.string().optional().describe('gate opened when too many measurements were inconclusive'),
        acceptedAt: isoTime.optional().describe('when that gate was approved: the step was accepted'),
      })
      .optional()
      .describe("the current step's analyses, while it bakes"),
    analyzed: z
      .array(
        z.object({
          step: z.int(),
          green: percent,
          outcome: z.enum(['passed', 'accepted']),
          gate: z.string().optional(),
          analyses: z.array(
            z.object({
              name: z.string(),
              verdict: analysisVerdict,
              pass: z.int(),
              fail: z.int(),
              inconclusive: z.int(),
              last: measurementSchema.optional(),
            }),
          ),
        }),
      )
      .optional()
      .describe("finished steps' analyses, one summary per step"),
    ...probeProgressFields(),
    greenWatch: z
      .object({
        at: isoTime,
        serving: z.boolean(),
        message: z.string(),
        degradedLooks: z.int().describe('looks in a row that found green degraded; 2 fail the step'),
      })
      .optional()
      .describe("the last look at green's services and pods while the current step bakes"),
  })
  .meta({ id: 'ShiftTrafficProgress' });

const stageStatusSchema = z.object({
  state: z.enum(stageStates),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  message: z.string(),
  attempts: z.int(),
  // Every stage saves an object of its own shape; only shift-traffic's is documented field by field.
  saved: z
    .union([
      shiftTrafficProgressSchema,
      // The domain types `saved` as unknown; at runtime it is always a JSON object, and that is checked.
      z
        .custom<unknown>(
          (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
          'must be an object',
        )
        .meta({
          type: 'object',
          // Said outright: a serializer compiled from this schema then keeps every field.
          additionalProperties: true,
          description: "another stage's saved state (any JSON object)",
        }),
    ])
    .optional()
    .describe(
      'what the stage keeps between runs (traffic step and analysis measurements for shift-traffic, add-on versions for foundation, evidence for the qualify stages)',
    ),
});

const rollbackSchema = z.object({
  requestedAt: isoTime,
  requestedBy: z.string(),
  reason: z.string(),
  mode: z.enum(['instant', 'stepped']),
  green: z.enum(['keep', 'teardown']),
  step: z.enum(['check-blue', 'set-weights', 'verify', 'bake', 'drain', 'teardown', 'done']),
  path: z.array(percent).readonly(),
  changeId: z.string().optional(),
  bakeUntil: isoTime.optional(),
  drainDeadline: isoTime.optional(),
  message: z.string(),
  attempts: z.int().optional(),
  finishedAt: isoTime.optional(),
  warning: z.string().optional().describe('what the rollback could not do and will not retry'),
  finalPhase: z.enum(['rolled-back', 'abandoned']).optional(),
});

export const promotionSchema = z
  .object({
    id: z.string(),
    platform: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    blue: z.object({ name: z.string(), slot: slot.describe('the live slot when the promotion started') }),
    green: z.object({ name: z.string(), slot, adopted: z.boolean() }),
    phase: z.enum(promotionPhases),
    pauseReason: z.string().optional(),
    currentStage: z.enum(stageNames),
    stages: z.record(z.enum(stageNames), stageStatusSchema),
    traffic: z.object({
      green: percent.describe('percent of traffic on green, last verified at the router'),
      manualChange: z
        .object({ green: percent, by: z.string(), applied: z.boolean(), changeId: z.string().optional() })
        .optional(),
      manual: z.boolean(),
      history: z
        .array(
          z.object({
            at: isoTime,
            green: percent,
            reason: z.enum(['step', 'manual', 'rollback']),
            by: z.string(),
          }),
        )
        .readonly(),
    }),
    gates: z
      .array(
        z.object({
          id: z.string(),
          stage: z.enum(stageNames),
          reason: z.string(),
          openedAt: isoTime,
          approvedAt: isoTime.optional(),
          approvedBy: z.string().optional(),
        }),
      )
      .readonly(),
    rollback: rollbackSchema.optional(),
    plan: z.object({
      ttlSeconds: z.number(),
      steps: z
        .array(
          z.object({
            green: percent,
            bakeMs: z.number(),
            approval: z.boolean(),
            analysis: z.array(analysisSpecSchema).readonly().optional(),
          }),
        )
        .readonly(),
      rollback: z.object({
        mode: z.enum(['instant', 'stepped']),
        green: z.enum(['keep', 'teardown']),
        drainDelayMs: z.number(),
        automatic: z.boolean(),
        steps: z.array(z.number()).readonly(),
        stepBakeMs: z.number(),
      }),
      retry: z.object({ maxAttempts: z.int(), baseDelayMs: z.number(), maxDelayMs: z.number() }),
      stageTimeoutsMs: z.record(z.string(), z.number()),
      pollIntervalMs: z.number(),
      probe: probeSpecSchema.optional(),
    }),
    nextRunAt: isoTime.optional(),
    createdAt: isoTime,
    createdBy: z.string(),
    updatedAt: isoTime,
    finishedAt: isoTime.optional(),
    version: z.int(),
  })
  .meta({ id: 'Promotion' });

export const eventSchema = z
  .object({
    seq: z.int(),
    promotionId: z.string(),
    at: isoTime,
    type: z.string(),
    message: z.string(),
    actor: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'PromotionEvent' });

/** How many events a promotion's detail carries unless asked otherwise: the newest ones. */
export const detailEventsLimit = 100;

export const promotionDetailSchema = promotionSchema
  .extend({
    events: z
      .array(eventSchema)
      .describe(
        `in seq order: the newest ${detailEventsLimit} (eventsLimit) or, with eventsAfter, the first ones after that seq`,
      ),
    eventsTotal: z
      .int()
      .optional()
      .describe(
        'how many events the promotion has in all; page through them with eventsAfter (absent from earlier servers)',
      ),
  })
  .meta({ id: 'PromotionDetail' });

export const detailQuerySchema = z.object({
  eventsAfter: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'the events after this seq, oldest first: 0 for the first page, then the last seq of each page',
    ),
  eventsLimit: z.coerce.number().int().min(1).max(1000).default(detailEventsLimit),
});

export const promotionListSchema = z
  .object({ items: z.array(promotionSchema), limit: z.int(), offset: z.int() })
  .meta({ id: 'PromotionList' });

export const createPromotionSchema = z
  .strictObject({
    platform: z.string().min(1),
    targetVersion: z.string().regex(/^v?1\.\d{1,2}$/, 'must be a Kubernetes minor version such as 1.35'),
    options: z
      .strictObject({
        rollback: z
          .strictObject({
            mode: z.enum(['instant', 'stepped']).optional(),
            green: z.enum(['keep', 'teardown']).optional(),
            automatic: z.boolean().optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .meta({ id: 'CreatePromotion' });

export const listQuerySchema = z.strictObject({
  platform: z.string().optional(),
  phase: promotionSchema.shape.phase.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const trafficSchema = z.strictObject({ green: percent }).meta({ id: 'TrafficChange' });
export const pauseSchema = z.strictObject({
  reason: z.string().min(1).max(500).default('paused by request'),
});
export const approveSchema = z.strictObject({ gate: z.string().min(1).optional() }).meta({ id: 'Approval' });
export const principalSchema = z.object({ name: z.string(), role: z.enum(roles) }).meta({ id: 'Principal' });

export const abandonSchema = z
  .strictObject({ reason: z.string().min(1).max(500) })
  .meta({ id: 'AbandonRequest' });
export const rollbackRequestSchema = z
  .strictObject({
    mode: z.enum(['instant', 'stepped']).optional(),
    green: z.enum(['keep', 'teardown']).optional(),
    reason: z.string().min(1).max(500),
  })
  .meta({ id: 'RollbackRequest' });

const liveClusterSchema = z
  .object({
    slot,
    cluster: z.string(),
    version: z.string().optional().describe('Kubernetes version, when a promotion put the cluster there'),
    since: isoTime.describe('when it became live (for the first choice: when the platform was first seen)'),
    promotionId: z
      .string()
      .optional()
      .describe('the promotion that made it live; absent: the config chose it'),
  })
  .meta({ id: 'LiveCluster' });

const slotSummarySchema = z.object({
  cluster: z.string().describe('the cluster name, or its template ({slot}, {version})'),
  mode: z.enum(['create', 'adopt']).describe('how the slot gets its cluster when it is green'),
});

export const platformSchema = z
  .object({
    name: z.string(),
    labels: z
      .record(z.string(), z.string())
      .describe("the platform file's labels, which fleet strategies select platforms by"),
    live: liveClusterSchema.describe('which slot serves traffic; stored state, changed only by decommission'),
    slots: z.object({ a: slotSummarySchema, b: slotSummarySchema }),
    blue: z.object({ cluster: z.string() }).describe("the live cluster: the next promotion's blue"),
    green: z
      .object({ slot, cluster: z.string(), mode: z.enum(['create', 'adopt']) })
      .describe("the other slot: the next promotion's green (cluster may be a template)"),
    router: z.enum(routerNames),
    steps: z.array(z.object({ green: percent, bakeMs: z.number(), approval: z.boolean() })),
    activePromotion: z.string().optional(),
  })
  .meta({ id: 'Platform' });

export const platformDetailSchema = platformSchema
  .extend({
    liveTraffic: z
      .object({
        green: percent.optional(),
        kind: z.enum(['weighted', 'unweighted']),
        detail: z.string(),
      })
      .or(z.object({ error: z.string() })),
  })
  .meta({ id: 'PlatformDetail' });

export const planSchema = z
  .object({
    platform: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    blue: z.object({ slot, cluster: z.string() }).describe('the live cluster'),
    green: z.object({ slot, cluster: z.string(), mode: z.enum(['create', 'adopt']) }),
    targets: z
      .object({ blue: z.string(), green: z.string() })
      .describe('where the router sends each side: record set or target group'),
    blockers: z
      .array(z.string())
      .describe('what would make POST /v1/promotions refuse this promotion now, with the fix'),
    stages: z.array(z.object({ name: z.enum(stageNames), action: z.string() })),
    addons: z.record(z.string(), z.string()).describe('managed add-on → version a promotion would install'),
    removedApis: z.object({
      verdict: z.enum(['pass', 'fail', 'inconclusive']),
      checks: z.array(
        z.object({
          name: z.string(),
          verdict: z.enum(['pass', 'fail', 'inconclusive']),
          evidence: z.string(),
        }),
      ),
      warnings: z.array(z.string()),
    }),
  })
  .meta({ id: 'PromotionPlan' });

export const planRequestSchema = z
  .strictObject({ targetVersion: createPromotionSchema.shape.targetVersion })
  .meta({ id: 'PlanRequest' });
