import type { AnalysisSpec, MetricQuery, PromotionPlan } from '../../src/domain/plan.js';
import { testPlan } from './promotions.js';

/** A Prometheus query for one side: the fakes key their readings on the cluster in it. */
export function promql(cluster: string, metric = 'error_rate'): MetricQuery {
  return {
    provider: 'prometheus',
    url: 'http://prometheus.test:9090',
    promql: `${metric}{cluster="${cluster}"}`,
    timeoutMs: 10_000,
  };
}

/** An error-rate analysis on green: 3 measurements a minute apart, at most 0.01, no failures allowed. */
export function errorRate(overrides: Partial<AnalysisSpec> = {}): AnalysisSpec {
  return {
    name: 'error-rate',
    query: promql('shop-green'),
    range: { max: 0.01 },
    intervalMs: 60_000,
    count: 3,
    failureLimit: 0,
    inconclusiveLimit: 0,
    ...overrides,
  };
}

/** The test plan (1 → 10 → 50 → 100) with a 3-minute bake and these analyses on every step. */
export function analysedPlan(
  analysis: readonly AnalysisSpec[],
  overrides: Parameters<typeof testPlan>[0] = {},
): PromotionPlan {
  const plan = testPlan(overrides);
  return { ...plan, steps: plan.steps.map((step) => ({ ...step, bakeMs: 180_000, analysis })) };
}
