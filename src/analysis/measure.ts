import type { AnalysisSpec, MetricQuery } from '../domain/plan.js';
import type { MetricProvider } from '../domain/ports.js';
import { errorMessage } from '../domain/retryable.js';
import { judgeMeasurement, type Measurement, type Reading } from './verdict.js';

/**
 * Takes one measurement: reads green's query (then blue's, when the analysis compares) and judges the
 * values. A provider that throws gives an inconclusive measurement, never a failed one.
 */
export async function takeMeasurement(
  spec: AnalysisSpec,
  metrics: MetricProvider,
  now: Date,
): Promise<Measurement> {
  const green = await read(metrics, spec.query, now);
  const blue = spec.compare === undefined ? undefined : await read(metrics, spec.compare.query, now);
  return judgeMeasurement(spec, now, green, blue);
}

async function read(metrics: MetricProvider, query: MetricQuery, now: Date): Promise<Reading> {
  try {
    return await metrics.query({ query, now });
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

/** A query in one line, for messages and for the recording fakes. */
export function describeQuery(query: MetricQuery): string {
  switch (query.provider) {
    case 'prometheus':
      return `prometheus ${query.promql}`;
    case 'http':
      return `http ${query.method} ${query.url} (${query.measure})`;
    case 'cloudwatch':
      switch (query.kind) {
        case 'alb-target-5xx':
          return `cloudwatch 5xx ${query.measure} of ${query.targetGroup}`;
        case 'alb-target-response-time':
          return `cloudwatch response time (${query.stat}) of ${query.targetGroup}`;
        case 'route53-health-check':
          return `cloudwatch health check ${query.healthCheckId}`;
        case 'metric':
          return `cloudwatch ${query.namespace} ${query.metricName} (${query.stat})`;
      }
  }
}
