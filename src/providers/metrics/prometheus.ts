/**
 * Prometheus as a metric provider: one instant query (`GET /api/v1/query`) per reading. The answer
 * must be one value: a scalar, or a vector with exactly one series (aggregate with sum(), avg(), …).
 * An empty vector, or NaN (0/0 when nothing was requested), is no data.
 */
import type { PrometheusQuery } from '../../domain/plan.js';
import type { MetricProvider, MetricResult } from '../../domain/ports.js';

/** The parts of the Prometheus HTTP API response this provider reads. */
interface ApiResponse {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
  warnings?: unknown;
}

type Sample = [unknown, unknown];

export function createPrometheusMetrics(
  options: { readonly fetch?: typeof fetch } = {},
): MetricProvider<PrometheusQuery> {
  const fetchFn = options.fetch ?? fetch;
  return {
    async query({ query, now }) {
      const url = new URL('api/v1/query', query.url.endsWith('/') ? query.url : `${query.url}/`);
      url.searchParams.set('query', query.promql);
      url.searchParams.set('time', (now.getTime() / 1000).toFixed(3));
      const response = await fetchFn(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(query.timeoutMs),
      });
      const text = await response.text();
      let body: ApiResponse;
      try {
        body = JSON.parse(text) as ApiResponse;
      } catch {
        throw new Error(`prometheus answered HTTP ${response.status} without JSON: ${text.slice(0, 200)}`);
      }
      if (body.status !== 'success') {
        throw new Error(
          `prometheus query failed (HTTP ${response.status}, ${String(body.errorType ?? 'error')}): ` +
            String(body.error ?? 'no error message'),
        );
      }
      return readValue(body.data ?? {});
    },
  };
}

function readValue(data: NonNullable<ApiResponse['data']>): MetricResult {
  const { resultType, result } = data;
  if (resultType === 'scalar') return fromSample(result as Sample, 'scalar');
  if (resultType !== 'vector') {
    throw new Error(`expected a vector or scalar result, got ${String(resultType)}; use an instant query`);
  }
  const series = Array.isArray(result) ? (result as { metric?: unknown; value?: Sample }[]) : [];
  if (series.length === 0) return { noData: true, detail: 'the query returned an empty vector' };
  if (series.length > 1) {
    throw new Error(
      `the query returned ${series.length} series; aggregate it to one (sum, avg, max, …) to judge it`,
    );
  }
  return fromSample(series[0]?.value, `series ${JSON.stringify(series[0]?.metric ?? {})}`);
}

/** A sample is [unix seconds, "value as a string"]; the string may be "NaN", "+Inf" or "-Inf". */
function fromSample(sample: Sample | undefined, what: string): MetricResult {
  const text = Array.isArray(sample) ? sample[1] : undefined;
  if (typeof text !== 'string') throw new Error(`malformed ${what}: ${JSON.stringify(sample)}`);
  const value = Number(text.replace(/^\+/, ''));
  if (Number.isNaN(value)) return { noData: true, detail: `the query returned NaN (${what})` };
  return { value, detail: what };
}
