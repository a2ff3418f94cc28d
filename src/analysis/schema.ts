/**
 * How a traffic step's analyses are written in a platform file (traffic.steps[].analysis). Durations
 * are milliseconds once parsed. Placeholders ({{side}}, {{cluster}}, and with an ALB router
 * {{targetGroup}} and {{loadBalancer}}) are checked by the traffic schema, which knows the router.
 */
import { z } from 'zod';
import { durationMs, positiveDurationMs } from '../config/duration.js';
import { withSamplePlaceholders } from './template.js';

/** At most this many measurements per analysis and analyses per step: the promotion stores them all. */
export const maxCount = 100;
export const maxAnalysesPerStep = 10;

/** An http(s) URL once its placeholders are filled in. */
const urlTemplate = z.string().refine((text) => {
  try {
    return /^https?:$/.test(new URL(withSamplePlaceholders(text)).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

/** CloudWatch periods are whole minutes for the metrics this reads (ALB, Route 53). */
const period = durationMs.refine(
  (ms) => ms > 0 && ms % 60_000 === 0,
  'must be a whole number of minutes, like 1m or 5m',
);
const cloudwatchTiming = {
  period: period.prefault('1m'),
  /** How far back to look for the latest datapoint; metrics arrive a minute or two late. */
  lookback: positiveDurationMs.prefault('5m'),
};
const albTargetGroup = {
  loadBalancer: z.string().min(1),
  targetGroup: z.string().min(1),
};
const stat = z.string().regex(/^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?)$/, {
  error: 'must be SampleCount, Average, Sum, Minimum, Maximum or a percentile like p99',
});

const cloudwatchQuery = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('alb-target-5xx'),
    ...albTargetGroup,
    /** rate: 5xx per request (0..1); count: 5xx in the period. */
    measure: z.enum(['rate', 'count']).default('rate'),
    ...cloudwatchTiming,
  }),
  z.strictObject({
    kind: z.literal('alb-target-response-time'),
    ...albTargetGroup,
    stat: stat.default('Average'),
    ...cloudwatchTiming,
  }),
  z.strictObject({
    kind: z.literal('route53-health-check'),
    healthCheckId: z.string().min(1),
    ...cloudwatchTiming,
  }),
  z.strictObject({
    kind: z.literal('metric'),
    namespace: z.string().min(1),
    metricName: z.string().min(1),
    dimensions: z.record(z.string().min(1), z.string().min(1)).default({}),
    stat,
    region: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a region like us-east-1')
      .optional(),
    ...cloudwatchTiming,
  }),
]);

const prometheusQuery = z.strictObject({
  /** The server's base URL, e.g. http://prometheus.monitoring:9090. */
  url: urlTemplate,
  /** Must come back as one value: a scalar, or a vector with a single series. */
  promql: z.string().min(1),
  timeout: positiveDurationMs.prefault('10s'),
});

const httpQuery = z.strictObject({
  url: urlTemplate,
  method: z.enum(['GET', 'HEAD']).default('GET'),
  /** status: the response's status code; latency: milliseconds until the whole response was read. */
  measure: z.enum(['status', 'latency']).default('status'),
  timeout: positiveDurationMs.prefault('5s'),
});

const rangeSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .superRefine((range, ctx) => {
    if (range.min === undefined && range.max === undefined)
      ctx.addIssue({ code: 'custom', message: 'needs min, max or both' });
    if (range.min !== undefined && range.max !== undefined && range.min > range.max)
      ctx.addIssue({ code: 'custom', path: ['max'], message: `must be at least min (${range.min})` });
  });

function variant<Provider extends string, Query extends z.ZodType>(provider: Provider, query: Query) {
  return z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lowercase letters, digits and "-"'),
    provider: z.literal(provider),
    query,
    /** Green's value must lie within it (inclusive). */
    range: rangeSchema.optional(),
    interval: positiveDurationMs,
    count: z.int().min(1).max(maxCount),
    failureLimit: z.int().min(0).default(0),
    inconclusiveLimit: z.int().min(0).default(0),
    compare: z
      .strictObject({
        against: z.literal('blue'),
        /** 0.2: green may be up to 20% above blue. */
        maxRelativeIncrease: z.number().min(0),
        /** Absolute slack added to the limit, so blue at 0 does not fail green at a trace. */
        margin: z.number().min(0).default(0),
        /** Blue's query, when filling the placeholders of `query` cannot express it. */
        query: query.optional(),
      })
      .optional(),
  });
}

export const analysisSchema = z
  .discriminatedUnion('provider', [
    variant('cloudwatch', cloudwatchQuery),
    variant('prometheus', prometheusQuery),
    variant('http', httpQuery),
  ])
  .superRefine((analysis, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (analysis.range === undefined && analysis.compare === undefined)
      issue([], 'needs a range, a compare, or both: otherwise nothing is judged');
    if (analysis.failureLimit >= analysis.count)
      issue(['failureLimit'], `must be less than count (${analysis.count}), or the analysis can never fail`);
    if (analysis.inconclusiveLimit >= analysis.count) {
      issue(
        ['inconclusiveLimit'],
        `must be less than count (${analysis.count}), or a step could pass without a single value`,
      );
    }
    if (analysis.query && 'period' in analysis.query && analysis.query.lookback < analysis.query.period)
      issue(['query', 'lookback'], 'must be at least the period');
  });

export type AnalysisConfig = z.output<typeof analysisSchema>;

export const analysesSchema = z
  .array(analysisSchema)
  .max(maxAnalysesPerStep)
  .superRefine((analyses, ctx) => {
    const seen = new Set<string>();
    analyses.forEach((analysis, i) => {
      if (seen.has(analysis.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${analysis.name}" is used twice` });
      seen.add(analysis.name);
    });
  });
