/**
 * CloudWatch as a metric provider: one GetMetricData call per reading, giving the latest datapoint at
 * the query's period within its lookback. Presets for the ALB target group metrics and Route 53 health
 * checks, and a generic namespace/metric/dimensions/stat form.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { CloudWatchQuery } from '../../domain/plan.js';
import type { MetricProvider, MetricResult } from '../../domain/ports.js';

export interface CloudWatchMetricsOptions {
  /** The client for a region, or for the controller's own when none is named. */
  readonly clientFor: (region?: string) => CloudWatchClient;
}

/** Route 53 publishes health check metrics in us-east-1 only, whatever the controller's region. */
const route53MetricsRegion = 'us-east-1';

interface Series {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
}

export function createCloudWatchMetrics(options: CloudWatchMetricsOptions): MetricProvider<CloudWatchQuery> {
  return {
    async query({ query, now }) {
      const periodMs = query.periodSeconds * 1000;
      // Periods line up on the clock (as CloudWatch stores them); the current, partial one is included.
      const start = Math.floor((now.getTime() - query.lookbackSeconds * 1000) / periodMs) * periodMs;
      const series = seriesOf(query);
      const region = query.kind === 'route53-health-check' ? route53MetricsRegion : regionOf(query);
      const output = await options.clientFor(region).send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: now,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: series.map((s) => metricDataQuery(s, query.periodSeconds)),
        }),
      );
      const results = new Map((output.MetricDataResults ?? []).map((r) => [r.Id, r]));
      for (const result of results.values()) {
        if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
          const messages = (result.Messages ?? []).map((m) => `${m.Code}: ${m.Value}`).join('; ');
          throw new Error(
            `GetMetricData ${result.Id}: ${result.StatusCode}${messages ? ` (${messages})` : ''}`,
          );
        }
      }
      const points = (id: string) => datapoints(results.get(id));
      if (query.kind === 'alb-target-5xx') return fiveHundreds(query, points('errors'), points('requests'));
      const latest = points('value')[0];
      if (latest === undefined) {
        return {
          noData: true,
          detail: `no datapoints for ${describe(series[0])} in the last ${query.lookbackSeconds} s`,
        };
      }
      return { value: latest.value, detail: `${describe(series[0])} at ${latest.at.toISOString()}` };
    },
  };
}

function regionOf(query: CloudWatchQuery): string | undefined {
  return query.kind === 'metric' ? query.region : undefined;
}

function seriesOf(query: CloudWatchQuery): Series[] {
  switch (query.kind) {
    case 'alb-target-5xx': {
      const dimensions = { LoadBalancer: query.loadBalancer, TargetGroup: query.targetGroup };
      const alb = { namespace: 'AWS/ApplicationELB', dimensions, stat: 'Sum' };
      return [
        { id: 'errors', metricName: 'HTTPCode_Target_5XX_Count', ...alb },
        { id: 'requests', metricName: 'RequestCount', ...alb },
      ];
    }
    case 'alb-target-response-time':
      return [
        {
          id: 'value',
          namespace: 'AWS/ApplicationELB',
          metricName: 'TargetResponseTime',
          dimensions: { LoadBalancer: query.loadBalancer, TargetGroup: query.targetGroup },
          stat: query.stat,
        },
      ];
    case 'route53-health-check':
      return [
        {
          id: 'value',
          namespace: 'AWS/Route53',
          metricName: 'HealthCheckStatus',
          dimensions: { HealthCheckId: query.healthCheckId },
          stat: 'Minimum',
        },
      ];
    case 'metric': {
      const { namespace, metricName, dimensions, stat } = query;
      return [{ id: 'value', namespace, metricName, dimensions, stat }];
    }
  }
}

function metricDataQuery(series: Series, periodSeconds: number): MetricDataQuery {
  return {
    Id: series.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: series.namespace,
        MetricName: series.metricName,
        Dimensions: Object.entries(series.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: series.stat,
    },
  };
}

interface Point {
  readonly at: Date;
  readonly value: number;
}

/** Newest first (the request asks for TimestampDescending). */
function datapoints(result: MetricDataResult | undefined): Point[] {
  const timestamps = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  return timestamps
    .map((at, i) => ({ at: new Date(at), value: values[i] ?? Number.NaN }))
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

/**
 * ALBs publish HTTPCode_Target_5XX_Count only for periods that had 5xx answers, so a missing 5xx
 * datapoint is zero when the target group had requests in that period, and no data when it had none.
 */
function fiveHundreds(
  query: Extract<CloudWatchQuery, { kind: 'alb-target-5xx' }>,
  errors: readonly Point[],
  requests: readonly Point[],
): MetricResult {
  const latest = requests.find((p) => p.value > 0);
  if (latest === undefined) {
    return {
      noData: true,
      detail: `no requests to ${query.targetGroup} in the last ${query.lookbackSeconds} s`,
    };
  }
  const count = errors.find((p) => p.at.getTime() === latest.at.getTime())?.value ?? 0;
  const at = latest.at.toISOString();
  if (query.measure === 'count') return { value: count, detail: `${count} 5xx at ${at}` };
  return {
    value: count / latest.value,
    detail: `${count} 5xx of ${latest.value} requests at ${at}`,
  };
}

function describe(series: Series | undefined): string {
  if (series === undefined) return 'the metric';
  const dimensions = Object.entries(series.dimensions)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
  return `${series.namespace} ${series.metricName} ${series.stat}${dimensions ? ` {${dimensions}}` : ''}`;
}
