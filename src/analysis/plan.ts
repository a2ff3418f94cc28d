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

/** Placeholders every router fills; side, slot and cluster differ between blue and green. */
export const basePlaceholders = {
  all: ['side', 'slot', 'cluster'],
  perSide: ['side', 'slot', 'cluster'],
} as const;

/** Blue's and green's cluster in one promotion, with the slot each sits in. */
export interface SideClusters {
  readonly blue: { readonly slot: string; readonly name: string };
  readonly green: { readonly slot: string; readonly name: string };
}

/** Each side's placeholder values: the base ones and those the router adds (e.g. its target group). */
export function sideValues(clusters: SideClusters, routerValues: SideValues): SideValues {
  const side = (name: 'blue' | 'green'): TemplateValues => ({
    side: name,
    slot: clusters[name].slot,
    cluster: clusters[name].name,
    ...routerValues[name],
  });
  return { blue: side('blue'), green: side('green') };
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
  offered: { readonly all: readonly string[]; readonly perSide: readonly string[] },
): { readonly unknown: string[]; readonly sameForBothSides: boolean } {
  const allowed = offered.all;
  const used = placeholders(analysis.query);
  const unknown = [...new Set([...used, ...placeholders(analysis.compare?.query)])].filter(
    (name) => !allowed.includes(name),
  );
  // With an unknown placeholder the query is wrong already; the comparison is judged once it is fixed.
  const sameForBothSides =
    unknown.length === 0 &&
    analysis.compare !== undefined &&
    analysis.compare.query === undefined &&
    !used.some((name) => offered.perSide.includes(name));
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
