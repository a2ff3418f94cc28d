/**
 * The traffic probe's shapes in the API: the plan's probe settings, the current step's evidence and the
 * summaries of finished steps (src/analysis/probe-evidence.ts has the domain's).
 */
import { z } from 'zod';

const isoTime = z.string().describe('RFC 3339 timestamp');
const percent = z.int().min(0).max(100);

export const probeSpecSchema = z
  .object({
    url: z.string(),
    ratePerSecond: z.number(),
    servedByHeader: z.string().describe('the response header naming the serving cluster'),
    errorBudget: z.int().describe('failed requests allowed per step'),
    timeoutMs: z.number(),
    keepAliveShare: z.number().describe('share of requests on kept-alive connections'),
    resolver: z.string().optional().describe('the DNS server the URL is resolved through'),
    resolvers: z
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('with resolver: independent caching resolvers new connections are spread over (absent: 1)'),
  })
  .describe('requests sent to the public URL during every traffic step');

const sideCountsSchema = z.object({
  ok: z.int().describe('2xx responses'),
  non2xx: z.int().describe('responses with any other status'),
  connectionErrors: z.int().describe('requests without a response: refused, reset, closed or timed out'),
});
const side = z.enum(['blue', 'green', 'unknown']);
/** One schema for the three sides (a record, not three copies): the document stays small. */
const bySide = <T extends z.ZodType>(schema: T) => z.record(side, schema);
const lanesSchema = z
  .record(z.enum(['fresh', 'keptAlive']), z.object({ sent: z.int(), failed: z.int() }))
  .describe('fresh: a new connection per request; keptAlive: a small pool of kept-alive connections');
const probeInterruptionSchema = z.object({
  since: isoTime.describe('the last time the evidence was saved before the controller stopped'),
  resumedAt: isoTime.describe('when a new probe started'),
});
const probeFindingsSchema = z.object({
  failed: z.int().describe('non-2xx responses and connection errors on every side'),
  errorBudget: z.int().describe('failed requests allowed; more fail the step'),
  p50Ms: z.number().optional(),
  p99Ms: z.number().optional().describe('read off a log-scale histogram: within 19% above the true value'),
  observedGreen: z
    .object({
      write: z.number().optional().describe('before the router confirmed the step (old weight may hold)'),
      bake: z.number().optional().describe('after it'),
    })
    .describe('percent of responses green served, of those whose side the header named'),
  greenReached: z
    .literal(false)
    .optional()
    .describe("false: green had a share of the step, yet none of the bake's responses came from green"),
});
const probeCountsSchema = z.object({
  sent: z.int(),
  sides: bySide(sideCountsSchema).describe('outcomes by the side named in the served-by header'),
  lanes: lanesSchema,
  served: z
    .record(z.enum(['write', 'bake']), bySide(z.int()))
    .describe('responses by the side that served them, before the router confirmed the step and after'),
  latency: z
    .array(z.array(z.int()))
    .describe('[bucket, count] pairs; bucket i holds response times up to 2^(i/4) ms'),
});
const stepProbeSchema = z.object({
  life: z.string(),
  startedAt: isoTime,
  updatedAt: isoTime,
  intended: z.object({ before: percent, green: percent }),
  verifiedAt: isoTime.optional(),
  interruptions: z.array(probeInterruptionSchema).optional(),
  earlier: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('what probes of this step counted before the controller restarted, shaped as counts'),
  counts: probeCountsSchema,
  findings: probeFindingsSchema,
  lastFailure: z.string().optional().describe('the latest failure, e.g. "green: HTTP 503"'),
});
const stepProbeSummarySchema = z.object({
  step: z.int(),
  green: percent,
  before: percent,
  sent: z.int(),
  sides: bySide(sideCountsSchema),
  lanes: lanesSchema,
  findings: probeFindingsSchema,
  interruptions: z.array(probeInterruptionSchema).optional(),
});

/**
 * The probe's fields of the shift-traffic stage's saved status. A function, so that the StepProbe
 * component is named where schemas.ts uses it, keeping the OpenAPI document's components in order.
 */
export function probeProgressFields() {
  return {
    probe: stepProbeSchema
      .meta({ id: 'StepProbe' })
      .optional()
      .describe("the current step's traffic probe: requests to the public URL since before the write"),
    probed: z
      .array(stepProbeSummarySchema)
      .optional()
      .describe("finished steps' traffic probes, one summary per step"),
  };
}
