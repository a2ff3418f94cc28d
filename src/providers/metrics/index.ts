import type { CloudWatchQuery, HttpProbeQuery, PrometheusQuery } from '../../domain/plan.js';
import type { MetricProvider } from '../../domain/ports.js';

export interface MetricProviders {
  readonly cloudwatch: MetricProvider<CloudWatchQuery>;
  readonly prometheus: MetricProvider<PrometheusQuery>;
  readonly http: MetricProvider<HttpProbeQuery>;
}

/** One MetricProvider for the stages: each query goes to the provider it names. */
export function routeMetricQueries(providers: MetricProviders): MetricProvider {
  return {
    query({ query, now }) {
      switch (query.provider) {
        case 'cloudwatch':
          return providers.cloudwatch.query({ query, now });
        case 'prometheus':
          return providers.prometheus.query({ query, now });
        case 'http':
          return providers.http.query({ query, now });
      }
    },
  };
}
