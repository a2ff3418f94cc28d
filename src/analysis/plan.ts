/**
 * From an analysis as written in the platform file to the AnalysisSpec a promotion carries: durations
 * in the units the providers use, and every placeholder filled in, once for green and once for blue.
 */
import type { AnalysisSpec, MetricQuery } from '../domain/plan.js';
import type { AnalysisConfig } from './schema.js';
import { fillPlaceholders, placeholders, type TemplateValues } from './template.js';

export interface SideValues {
  readonly blue: TemplateValues;
  readonly green: TemplateValues;
}

/** The ALB router's listener and target groups; their CloudWatch dimension values become placeholders. */
export interface AlbTargets {
  readonly listenerArn: string;
  readonly blueTargetGroupArn: string;
  readonly greenTargetGroupArn: string;
}

/** Placeholders that differ between blue and green; a comparison needs at least one of them. */
export const sidePlaceholders = ['side', 'slot', 'cluster', 'targetGroup'] as const;

export function allowedPlaceholders(router: 'route53' | 'alb'): string[] {
  return router === 'alb'
    ? ['side', 'slot', 'cluster', 'targetGroup', 'loadBalancer']
    : ['side', 'slot', 'cluster'];
}

/** Blue's and green's cluster in one promotion, with the slot each sits in. */
export interface SideClusters {
  readonly blue: { readonly slot: string; readonly name: string };
  readonly green: { readonly slot: string; readonly name: string };
}

export function sideValues(clusters: SideClusters, alb?: AlbTargets): SideValues {
  const side = (
    name: 'blue' | 'green',
    cluster: SideClusters['blue'],
    targetGroupArn?: string,
  ): TemplateValues => ({
    side: name,
    slot: cluster.slot,
    cluster: cluster.name,
    ...(alb && targetGroupArn
      ? {
          targetGroup: targetGroupDimension(targetGroupArn),
          loadBalancer: loadBalancerDimension(alb.listenerArn),
        }
      : {}),
  });
  return {
    blue: side('blue', clusters.blue, alb?.blueTargetGroupArn),
    green: side('green', clusters.green, alb?.greenTargetGroupArn),
  };
}

/** arn:…:targetgroup/shop-green/0123456789abcdef → targetgroup/shop-green/0123456789abcdef */
export function targetGroupDimension(arn: string): string {
  return arn.slice(arn.indexOf(':targetgroup/') + 1);
}

/** arn:…:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2 → app/shop/50dc6c495c0c9188 */
export function loadBalancerDimension(listenerArn: string): string {
  const resource = listenerArn.slice(listenerArn.indexOf(':listener/') + ':listener/'.length);
  return resource.split('/').slice(0, 3).join('/');
}

export function toAnalysisSpec(analysis: AnalysisConfig, values: SideValues): AnalysisSpec {
  const query = toMetricQuery(analysis);
  const compare = analysis.compare;
  const blueQuery =
    compare?.query === undefined
      ? query
      : toMetricQuery({ ...analysis, query: compare.query } as AnalysisConfig);
  return {
    name: analysis.name,
    query: fillPlaceholders(query, values.green),
    ...(analysis.range && { range: withoutUndefined(analysis.range) }),
    intervalMs: analysis.interval,
    count: analysis.count,
    failureLimit: analysis.failureLimit,
    inconclusiveLimit: analysis.inconclusiveLimit,
    ...(compare && {
      compare: {
        against: compare.against,
        query: fillPlaceholders(blueQuery, values.blue),
        maxRelativeIncrease: compare.maxRelativeIncrease,
        margin: compare.margin,
      },
    }),
  };
}

/** Placeholders an analysis uses that the router does not offer, and whether its comparison can tell the sides apart. */
export function placeholderProblems(
  analysis: AnalysisConfig,
  router: 'route53' | 'alb',
): { readonly unknown: string[]; readonly sameForBothSides: boolean } {
  const allowed = allowedPlaceholders(router);
  const used = placeholders(analysis.query);
  const unknown = [...new Set([...used, ...placeholders(analysis.compare?.query)])].filter(
    (name) => !allowed.includes(name),
  );
  const sameForBothSides =
    analysis.compare !== undefined &&
    analysis.compare.query === undefined &&
    !used.some((name) => (sidePlaceholders as readonly string[]).includes(name));
  return { unknown, sameForBothSides };
}

function toMetricQuery(analysis: AnalysisConfig): MetricQuery {
  switch (analysis.provider) {
    case 'prometheus': {
      const { url, promql, timeout } = analysis.query;
      return { provider: 'prometheus', url, promql, timeoutMs: timeout };
    }
    case 'http': {
      const { url, method, measure, timeout } = analysis.query;
      return { provider: 'http', url, method, measure, timeoutMs: timeout };
    }
    case 'cloudwatch': {
      const { period, lookback, ...rest } = analysis.query;
      return {
        provider: 'cloudwatch',
        periodSeconds: period / 1000,
        lookbackSeconds: Math.ceil(lookback / 1000),
        ...withoutUndefined(rest),
      };
    }
  }
}

/** Drops keys whose value is undefined (zod's optional outputs), as exact optional types want. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
