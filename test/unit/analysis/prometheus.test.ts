import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeMeasurement } from '../../../src/analysis/measure.js';
import type { PrometheusQuery } from '../../../src/domain/plan.js';
import { createPrometheusMetrics } from '../../../src/providers/metrics/prometheus.js';
import { errorRate } from '../../fakes/analysis.js';

/**
 * Answers /api/v1/query the way Prometheus does (format from its HTTP API docs): the query text picks
 * the answer, so each test names the case it wants.
 */
const answers: Record<string, { status: number; body: unknown }> = {
  'error_rate{cluster="shop-green"}': {
    status: 200,
    body: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { cluster: 'shop-green' }, value: [1_764_064_800.123, '0.0042'] }],
      },
    },
  },
  'scalar(vector(3))': {
    status: 200,
    body: { status: 'success', data: { resultType: 'scalar', result: [1_764_064_800.123, '3'] } },
  },
  'absent_metric{cluster="shop-green"}': {
    status: 200,
    body: { status: 'success', data: { resultType: 'vector', result: [] } },
  },
  'errors / requests': {
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1_764_064_800, 'NaN'] }] },
    },
  },
  'up{job="api"}': {
    status: 200,
    body: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { instance: 'a' }, value: [1_764_064_800, '1'] },
          { metric: { instance: 'b' }, value: [1_764_064_800, '1'] },
        ],
      },
    },
  },
  'rate(x[1m]': {
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "query": 1:11: parse error: unclosed left parenthesis',
    },
  },
  'up[5m]': {
    status: 200,
    body: {
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values: [[1_764_064_800, '1']] }] },
    },
  },
};

let server: Server;
let base: string;
const seen: URLSearchParams[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    seen.push(url.searchParams);
    if (url.pathname !== '/prom/api/v1/query') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const answer = answers[url.searchParams.get('query') ?? ''];
    if (answer === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    response
      .writeHead(answer.status, { 'content-type': 'application/json' })
      .end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/prom`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const prometheus = createPrometheusMetrics();
const now = new Date('2026-11-25T10:00:00.250Z');
const query = (promql: string): PrometheusQuery => ({
  provider: 'prometheus',
  url: base,
  promql,
  timeoutMs: 2_000,
});

describe('the Prometheus provider', () => {
  it("reads the one sample of a vector, asking for the value at the stage's time", async () => {
    await expect(
      prometheus.query({ query: query('error_rate{cluster="shop-green"}'), now }),
    ).resolves.toEqual({
      value: 0.0042,
      detail: 'series {"cluster":"shop-green"}',
    });
    expect(seen.at(-1)?.get('time')).toBe('1795600800.250');
  });

  it('reads a scalar', async () => {
    await expect(prometheus.query({ query: query('scalar(vector(3))'), now })).resolves.toMatchObject({
      value: 3,
    });
  });

  it('gives no data for an empty vector and for NaN (0/0: no requests)', async () => {
    await expect(
      prometheus.query({ query: query('absent_metric{cluster="shop-green"}'), now }),
    ).resolves.toEqual({
      noData: true,
      detail: 'the query returned an empty vector',
    });
    await expect(prometheus.query({ query: query('errors / requests'), now })).resolves.toMatchObject({
      noData: true,
    });
  });

  it('refuses answers it cannot judge: several series, a range vector', async () => {
    await expect(prometheus.query({ query: query('up{job="api"}'), now })).rejects.toThrow(
      'the query returned 2 series; aggregate it to one (sum, avg, max, …) to judge it',
    );
    await expect(prometheus.query({ query: query('up[5m]'), now })).rejects.toThrow(
      'expected a vector or scalar result, got matrix; use an instant query',
    );
  });

  it("reports Prometheus' own error, and an answer that is not the API's", async () => {
    await expect(prometheus.query({ query: query('rate(x[1m]'), now })).rejects.toThrow(
      'prometheus query failed (HTTP 400, bad_data): invalid parameter "query": 1:11: parse error: unclosed left parenthesis',
    );
    await expect(prometheus.query({ query: query('anything else'), now })).rejects.toThrow(
      'prometheus answered HTTP 503 without JSON: Service Unavailable',
    );
  });

  it('as an analysis reading: an error status is inconclusive, never a failure', async () => {
    const spec = errorRate({ query: query('rate(x[1m]') });
    const measurement = await takeMeasurement(spec, prometheus, now);
    expect(measurement.verdict).toBe('inconclusive');
    expect(measurement.message).toMatch(/^green: error: prometheus query failed \(HTTP 400, bad_data\)/);
    const passing = await takeMeasurement(
      errorRate({ query: query('error_rate{cluster="shop-green"}') }),
      prometheus,
      now,
    );
    expect(passing).toMatchObject({ verdict: 'pass', green: 0.0042 });
  });
});
