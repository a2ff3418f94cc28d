/**
 * An HTTP probe as a metric provider: one request per reading, giving its status code or its latency
 * (milliseconds until the whole response was read). Redirects are not followed: a 301 is what the
 * URL answered. No answer within the timeout, or no connection, is an error (inconclusive).
 */
import type { HttpProbeQuery } from '../../domain/plan.js';
import type { MetricProvider } from '../../domain/ports.js';

export function createHttpProbe(
  options: { readonly fetch?: typeof fetch } = {},
): MetricProvider<HttpProbeQuery> {
  const fetchFn = options.fetch ?? fetch;
  return {
    async query({ query }) {
      const started = performance.now();
      let response: Response;
      try {
        response = await fetchFn(query.url, {
          method: query.method,
          redirect: 'manual',
          signal: AbortSignal.timeout(query.timeoutMs),
        });
        if (query.measure === 'latency') await response.arrayBuffer();
        else await response.body?.cancel();
      } catch (error) {
        // fetch wraps the network error ("fetch failed"); its cause says what happened.
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const reason =
          error instanceof Error && error.name === 'TimeoutError'
            ? `no answer within ${query.timeoutMs} ms`
            : (cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
        throw new Error(`${query.method} ${query.url}: ${reason}`, { cause: error });
      }
      const latencyMs = performance.now() - started;
      const detail = `${query.method} ${query.url} → ${response.status} in ${Math.round(latencyMs)} ms`;
      return { value: query.measure === 'status' ? response.status : latencyMs, detail };
    },
  };
}
