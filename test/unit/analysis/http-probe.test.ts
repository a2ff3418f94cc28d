import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeMeasurement } from '../../../src/analysis/measure.js';
import type { HttpProbeQuery } from '../../../src/domain/plan.js';
import { createHttpProbe } from '../../../src/providers/metrics/http-probe.js';
import { errorRate } from '../../fakes/analysis.js';

let server: Server;
let base: string;
const methods: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    methods.push(request.method ?? '');
    switch (request.url) {
      case '/healthz':
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case '/slow':
        setTimeout(() => response.writeHead(200).end('late'), 150);
        return;
      case '/broken':
        response.writeHead(503).end('unavailable');
        return;
      case '/moved':
        response.writeHead(301, { location: '/healthz' }).end();
        return;
      case '/hang':
        return; // never answers
      default:
        response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  const { port } = spare.address() as { port: number };
  await new Promise<void>((resolve) => spare.close(() => resolve()));
  return port;
}

const probe = createHttpProbe();
const now = new Date();
const query = (path: string, overrides: Partial<HttpProbeQuery> = {}): HttpProbeQuery => ({
  provider: 'http',
  url: `${base}${path}`,
  method: 'GET',
  measure: 'status',
  timeoutMs: 2_000,
  ...overrides,
});

describe('the HTTP probe', () => {
  it('measures the status code, without following redirects', async () => {
    await expect(probe.query({ query: query('/healthz'), now })).resolves.toMatchObject({ value: 200 });
    await expect(probe.query({ query: query('/broken'), now })).resolves.toMatchObject({ value: 503 });
    await expect(probe.query({ query: query('/moved'), now })).resolves.toMatchObject({ value: 301 });
  });

  it('measures latency in milliseconds, until the whole response was read', async () => {
    const result = await probe.query({ query: query('/slow', { measure: 'latency' }), now });
    expect('value' in result && result.value).toBeGreaterThanOrEqual(140);
    expect(result.detail).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/slow → 200 in \d+ ms$/);
  });

  it('uses the configured method', async () => {
    await probe.query({ query: query('/healthz', { method: 'HEAD' }), now });
    expect(methods.at(-1)).toBe('HEAD');
  });

  it('throws (inconclusive, not failed) when there is no answer within the timeout or no connection', async () => {
    await expect(probe.query({ query: query('/hang', { timeoutMs: 200 }), now })).rejects.toThrow(
      `GET ${base}/hang: no answer within 200 ms`,
    );
    const closed = await closedPort();
    await expect(
      probe.query({ query: { ...query('/'), url: `http://127.0.0.1:${closed}/` }, now }),
    ).rejects.toThrow(`GET http://127.0.0.1:${closed}/: ECONNREFUSED`);
    const spec = errorRate({ query: query('/hang', { timeoutMs: 200 }), range: { min: 200, max: 299 } });
    expect((await takeMeasurement(spec, probe, now)).verdict).toBe('inconclusive');
  });

  it('as an analysis reading: a 503 is a measured value, and fails the range', async () => {
    const spec = errorRate({ query: query('/broken'), range: { min: 200, max: 399 } });
    await expect(takeMeasurement(spec, probe, now)).resolves.toMatchObject({
      verdict: 'fail',
      green: 503,
      message: 'green 503 is above the maximum 399',
    });
  });
});
