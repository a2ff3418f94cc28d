/** A step analysis as the promotion's plan carries it in the API; split from schemas.ts to keep files small. */
import { z } from 'zod';

/** An analysis as the promotion's plan carries it (durations in ms, placeholders filled in). */
const metricQuerySchema = z
  .discriminatedUnion('provider', [
    z.object({
      provider: z.literal('prometheus'),
      url: z.string(),
      promql: z.string(),
      timeoutMs: z.number(),
    }),
    z.object({
      provider: z.literal('http'),
      url: z.string(),
      method: z.enum(['GET', 'HEAD']),
      measure: z.enum(['status', 'latency']),
      timeoutMs: z.number(),
    }),
    z
      .object({
        provider: z.literal('cloudwatch'),
        kind: z.enum(['alb-target-5xx', 'alb-target-response-time', 'route53-health-check', 'metric']),
        periodSeconds: z.number(),
        lookbackSeconds: z.number(),
        loadBalancer: z.string().optional(),
        targetGroup: z.string().optional(),
        measure: z.enum(['rate', 'count']).optional(),
        healthCheckId: z.string().optional(),
        namespace: z.string().optional(),
        metricName: z.string().optional(),
        dimensions: z.record(z.string(), z.string()).optional(),
        stat: z.string().optional(),
        region: z.string().optional(),
      })
      .describe('the fields that apply depend on kind'),
  ])
  .meta({ id: 'MetricQuery' });
export const analysisSpecSchema = z
  .object({
    name: z.string(),
    query: metricQuerySchema,
    range: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
    intervalMs: z.number(),
    count: z.int(),
    failureLimit: z.int(),
    inconclusiveLimit: z.int(),
    compare: z
      .object({
        against: z.literal('blue'),
        query: metricQuerySchema,
        maxRelativeIncrease: z.number(),
        margin: z.number(),
      })
      .optional(),
  })
  .meta({ id: 'AnalysisSpec' });
