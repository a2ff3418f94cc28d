import { describe, expect, it } from 'vitest';
import { toPromotionPlan } from '../../../src/config/load.js';
import {
  albPlatform,
  albSlotsPlatform,
  loadPlatform,
  problems,
  route53Platform,
  withValue,
} from '../config/temp-config.js';

const errorRate = {
  name: 'error-rate',
  provider: 'prometheus',
  query: {
    url: 'http://prometheus.monitoring:9090',
    promql: 'sum(rate(http_requests_total{cluster="{{cluster}}",code=~"5.."}[1m]))',
  },
  range: { max: 0.01 },
  interval: '30s',
  count: 4,
  failureLimit: 1,
  compare: { against: 'blue', maxRelativeIncrease: 0.2 },
};

const withAnalysis = (platform: object, analysis: unknown[]) =>
  withValue(platform, ['traffic', 'steps', 0, 'analysis'], analysis);

/** A first promotion: blue is slot a, green slot b. */
const shopRoles = { blue: { slot: 'a', name: 'shop-a' }, green: { slot: 'b', name: 'shop-b' } } as const;
const paymentsRoles = {
  blue: { slot: 'a', name: 'payments-blue' },
  green: { slot: 'b', name: 'payments-green' },
} as const;

const alb5xx = {
  name: 'target-5xx',
  provider: 'cloudwatch',
  query: { kind: 'alb-target-5xx', loadBalancer: '{{loadBalancer}}', targetGroup: '{{targetGroup}}' },
  range: { max: 0.02 },
  interval: '30s',
  count: 2,
  compare: { against: 'blue', maxRelativeIncrease: 0.5, margin: 0.001 },
};

describe('analysis in a traffic step', () => {
  it('becomes part of the plan, with placeholders filled in once for green and once for blue', async () => {
    const { controller, platforms } = await loadPlatform(withAnalysis(route53Platform, [errorRate]));
    const plan = toPromotionPlan(platforms.get('shop') ?? expect.fail('no shop'), controller, shopRoles);
    expect(plan.steps[0]?.analysis).toEqual([
      {
        name: 'error-rate',
        query: {
          provider: 'prometheus',
          url: 'http://prometheus.monitoring:9090',
          promql: 'sum(rate(http_requests_total{cluster="shop-b",code=~"5.."}[1m]))',
          timeoutMs: 10_000,
        },
        range: { max: 0.01 },
        intervalMs: 30_000,
        count: 4,
        failureLimit: 1,
        inconclusiveLimit: 0,
        compare: {
          against: 'blue',
          query: {
            provider: 'prometheus',
            url: 'http://prometheus.monitoring:9090',
            promql: 'sum(rate(http_requests_total{cluster="shop-a",code=~"5.."}[1m]))',
            timeoutMs: 10_000,
          },
          maxRelativeIncrease: 0.2,
          margin: 0,
        },
      },
    ]);
    // Steps without analysis keep their old shape.
    expect(plan.steps[1]).toEqual({ green: 50, bakeMs: 120_000, approval: true });
  });

  it('with an ALB router, fills {{targetGroup}} and {{loadBalancer}} from the ARNs as CloudWatch names them', async () => {
    const { controller, platforms } = await loadPlatform(withAnalysis(albPlatform, [alb5xx]));
    const payments = platforms.get('payments') ?? expect.fail('no payments');
    const [spec] = toPromotionPlan(payments, controller, paymentsRoles).steps[0]?.analysis ?? [
      expect.fail('no analysis'),
    ];
    expect(spec?.query).toEqual({
      provider: 'cloudwatch',
      kind: 'alb-target-5xx',
      loadBalancer: 'app/pay/0123456789abcdef',
      targetGroup: 'targetgroup/green/0123456789abcdef',
      measure: 'rate',
      periodSeconds: 60,
      lookbackSeconds: 300,
    });
    expect(spec?.compare?.query).toMatchObject({ targetGroup: 'targetgroup/blue/0123456789abcdef' });
  });

  it("reads the live slot's target group for blue when the live slot is b", async () => {
    const { controller, platforms } = await loadPlatform(withAnalysis(albSlotsPlatform, [alb5xx]));
    const payments = platforms.get('payments') ?? expect.fail('no payments');
    // The second promotion: slot b (target group "green") is live, so it is blue.
    const roles = {
      blue: { slot: 'b', name: 'payments-green' },
      green: { slot: 'a', name: 'payments-blue' },
    } as const;
    const [spec] = toPromotionPlan(payments, controller, roles).steps[0]?.analysis ?? [];
    expect(spec?.query).toMatchObject({ targetGroup: 'targetgroup/blue/0123456789abcdef' });
    expect(spec?.compare?.query).toMatchObject({ targetGroup: 'targetgroup/green/0123456789abcdef' });
  });

  it('takes an explicit query for blue when placeholders cannot express it', async () => {
    const probe = {
      name: 'latency',
      provider: 'http',
      query: { url: 'https://green.shop.internal/healthz', measure: 'latency' },
      range: { max: 500 },
      interval: '20s',
      count: 3,
      compare: {
        against: 'blue',
        maxRelativeIncrease: 0.3,
        query: { url: 'https://blue.shop.internal/healthz', measure: 'latency' },
      },
    };
    const { controller, platforms } = await loadPlatform(withAnalysis(route53Platform, [probe]));
    const [spec] =
      toPromotionPlan(platforms.get('shop') ?? expect.fail(''), controller, shopRoles).steps[0]?.analysis ??
      [];
    expect(spec?.query).toEqual({
      provider: 'http',
      url: 'https://green.shop.internal/healthz',
      method: 'GET',
      measure: 'latency',
      timeoutMs: 5_000,
    });
    expect(spec?.compare?.query).toMatchObject({ url: 'https://blue.shop.internal/healthz' });
  });

  it.each([
    [
      'more measurements than the bake holds',
      { ...errorRate, count: 5 },
      "traffic.steps[0].analysis[0].count: count × interval (5 × 30s = 2m30s) must fit in the step's bake (2m)",
    ],
    [
      'a placeholder the router cannot fill',
      { ...errorRate, query: { ...errorRate.query, promql: 'up{tg="{{targetGroup}}"}' } },
      'traffic.steps[0].analysis[0].query: unknown placeholder {{targetGroup}}: with the route53 router, use {{side}}, {{slot}} or {{cluster}}',
    ],
    [
      'a comparison that would read the same thing on both sides',
      { ...errorRate, query: { ...errorRate.query, promql: 'sum(rate(errors[1m]))' } },
      'traffic.steps[0].analysis[0].compare: blue would be read with the same query as green: use {{side}}, {{slot}} or {{cluster}} in the query, or give blue its own compare.query',
    ],
    [
      'a failure limit that can never be passed',
      { ...errorRate, failureLimit: 4 },
      'traffic.steps[0].analysis[0].failureLimit: must be less than count (4), or the analysis can never fail',
    ],
    [
      'nothing to judge by',
      { ...errorRate, range: undefined, compare: undefined },
      'traffic.steps[0].analysis[0]: needs a range, a compare, or both: otherwise nothing is judged',
    ],
    [
      'an unknown provider',
      { ...errorRate, provider: 'datadog' },
      'traffic.steps[0].analysis[0].provider: must be one of "cloudwatch", "prometheus", "http"',
    ],
    [
      'a Prometheus URL that is not one',
      { ...errorRate, query: { ...errorRate.query, url: 'prometheus:9090' } },
      'traffic.steps[0].analysis[0].query.url: must be an http(s) URL',
    ],
    [
      'a CloudWatch period that is not whole minutes',
      {
        ...errorRate,
        provider: 'cloudwatch',
        query: { kind: 'route53-health-check', healthCheckId: 'abc', period: '90s' },
        range: { min: 1 },
        compare: undefined,
      },
      'traffic.steps[0].analysis[0].query.period: must be a whole number of minutes, like 1m or 5m',
    ],
  ])('rejects %s', async (_what, analysis, expected) => {
    const platform = withAnalysis(route53Platform, [
      Object.fromEntries(Object.entries(analysis).filter(([, v]) => v !== undefined)),
    ]);
    expect(await problems(platform)).toEqual([expected]);
  });

  it('rejects two analyses with one name in a step', async () => {
    expect(await problems(withAnalysis(route53Platform, [errorRate, errorRate]))).toEqual([
      'traffic.steps[0].analysis[1].name: "error-rate" is used twice',
    ]);
  });

  it('keeps the bake at least the TTL, with or without analysis', async () => {
    const platform = withValue(
      withAnalysis(route53Platform, [{ ...errorRate, count: 1, failureLimit: 0 }]),
      ['traffic', 'steps', 0, 'bake'],
      '30s',
    );
    expect(await problems(platform)).toEqual([
      'traffic.steps[0].bake: must be at least the TTL (60s), got 30s',
    ]);
  });
});
