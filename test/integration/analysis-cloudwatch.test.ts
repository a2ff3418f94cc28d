import { type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { takeMeasurement } from '../../src/analysis/measure.js';
import type { CloudWatchQuery } from '../../src/domain/plan.js';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { createCloudWatchMetrics } from '../../src/providers/metrics/cloudwatch.js';
import { errorRate } from '../fakes/analysis.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';

const loadBalancer = 'app/shop/50dc6c495c0c9188';
const targetGroup = (side: string) => `targetgroup/shop-${side}/73e2d6bc24d8a067`;

describeWithServers('CloudWatch metrics on moto (GetMetricData through the SDK)', () => {
  const env = testEnvironment();
  const aws = createAwsClients({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: dummyCredentials,
  });
  const cloudwatch = createCloudWatchMetrics({ clientFor: (region) => aws.cloudwatch(region) });
  afterAll(() => aws.destroy());

  // Datapoints a minute and a half ago: inside the lookback, in the latest period that has data.
  const now = new Date();
  const at = new Date(now.getTime() - 90_000);
  const put = (namespace: string, data: MetricDatum[]) =>
    aws.cloudwatch().send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
  const albDatum = (side: string, metric: string, value: number): MetricDatum => ({
    MetricName: metric,
    Dimensions: [
      { Name: 'LoadBalancer', Value: loadBalancer },
      { Name: 'TargetGroup', Value: targetGroup(side) },
    ],
    Timestamp: at,
    Value: value,
  });

  beforeAll(async () => {
    await put('AWS/ApplicationELB', [
      albDatum('green', 'RequestCount', 200),
      albDatum('green', 'HTTPCode_Target_5XX_Count', 3),
      albDatum('blue', 'RequestCount', 1000),
      albDatum('blue', 'HTTPCode_Target_5XX_Count', 2),
      // "quiet" had requests and, as ALBs do, no 5xx datapoint at all.
      albDatum('quiet', 'RequestCount', 50),
      albDatum('green', 'TargetResponseTime', 0.1),
      albDatum('green', 'TargetResponseTime', 0.3),
    ]);
    await put('AWS/Route53', [
      {
        MetricName: 'HealthCheckStatus',
        Dimensions: [{ Name: 'HealthCheckId', Value: 'hc-green' }],
        Timestamp: at,
        Value: 1,
      },
    ]);
    await put('Shop/Checkout', [
      {
        MetricName: 'Failures',
        Dimensions: [{ Name: 'Cluster', Value: 'shop-green' }],
        Timestamp: at,
        Value: 4,
      },
      {
        MetricName: 'Failures',
        Dimensions: [{ Name: 'Cluster', Value: 'shop-green' }],
        Timestamp: at,
        Value: 7,
      },
    ]);
  });

  const timing = { provider: 'cloudwatch', periodSeconds: 60, lookbackSeconds: 300 } as const;
  const fiveXx = (side: string, measure: 'rate' | 'count' = 'rate'): CloudWatchQuery => ({
    ...timing,
    kind: 'alb-target-5xx',
    loadBalancer,
    targetGroup: targetGroup(side),
    measure,
  });

  it('reads an ALB target group 5xx rate (5xx / RequestCount) and count', async () => {
    await expect(cloudwatch.query({ query: fiveXx('green'), now })).resolves.toEqual({
      value: 0.015,
      detail: expect.stringMatching(/^3 5xx of 200 requests at /),
    });
    await expect(cloudwatch.query({ query: fiveXx('blue', 'count'), now })).resolves.toMatchObject({
      value: 2,
    });
  });

  it('counts a period with requests but no 5xx datapoint as zero, and one without requests as no data', async () => {
    await expect(cloudwatch.query({ query: fiveXx('quiet'), now })).resolves.toMatchObject({ value: 0 });
    await expect(cloudwatch.query({ query: fiveXx('idle'), now })).resolves.toEqual({
      noData: true,
      detail: `no requests to ${targetGroup('idle')} in the last 300 s`,
    });
  });

  it('reads TargetResponseTime with the statistic asked for', async () => {
    const query: CloudWatchQuery = {
      ...timing,
      kind: 'alb-target-response-time',
      loadBalancer,
      targetGroup: targetGroup('green'),
      stat: 'Average',
    };
    const result = await cloudwatch.query({ query, now });
    expect('value' in result && result.value).toBeCloseTo(0.2, 6);
    await expect(cloudwatch.query({ query: { ...query, stat: 'Maximum' }, now })).resolves.toMatchObject({
      value: 0.3,
    });
  });

  it('reads a Route 53 health check status (in us-east-1)', async () => {
    const query: CloudWatchQuery = { ...timing, kind: 'route53-health-check', healthCheckId: 'hc-green' };
    await expect(cloudwatch.query({ query, now })).resolves.toMatchObject({ value: 1 });
    await expect(
      cloudwatch.query({ query: { ...query, healthCheckId: 'hc-other' }, now }),
    ).resolves.toMatchObject({
      noData: true,
    });
  });

  it('reads any metric by namespace, name, dimensions and statistic', async () => {
    const query: CloudWatchQuery = {
      ...timing,
      kind: 'metric',
      namespace: 'Shop/Checkout',
      metricName: 'Failures',
      dimensions: { Cluster: 'shop-green' },
      stat: 'Sum',
    };
    await expect(cloudwatch.query({ query, now })).resolves.toMatchObject({ value: 11 });
  });

  it('as an analysis: green compared with blue fails on the higher 5xx rate', async () => {
    const spec = errorRate({
      name: 'target-5xx',
      query: fiveXx('green'),
      range: { max: 0.05 },
      compare: { against: 'blue', query: fiveXx('blue'), maxRelativeIncrease: 0.5, margin: 0.001 },
    });
    await expect(
      takeMeasurement(spec, { query: (r) => cloudwatch.query(r as never) }, now),
    ).resolves.toMatchObject({
      verdict: 'fail',
      green: 0.015,
      blue: 0.002,
      message: 'green 0.015 is more than 50% above blue 0.002 (limit 0.004)',
    });
  });

  it('an endpoint that does not answer is an error, which the analysis counts as inconclusive', async () => {
    const unreachable = createAwsClients({
      region: env.awsRegion,
      endpoint: 'http://127.0.0.1:9',
      credentials: dummyCredentials,
      maxAttempts: 1,
    });
    try {
      const provider = createCloudWatchMetrics({ clientFor: (region) => unreachable.cloudwatch(region) });
      await expect(provider.query({ query: fiveXx('green'), now })).rejects.toThrow();
      const measurement = await takeMeasurement(
        errorRate({ query: fiveXx('green') }),
        { query: (r) => provider.query(r as never) },
        now,
      );
      expect(measurement.verdict).toBe('inconclusive');
    } finally {
      unreachable.destroy();
    }
  });
});
