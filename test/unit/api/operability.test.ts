import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger, logProcessWarnings } from '../../../src/logging.js';
import { createMetrics } from '../../../src/metrics.js';
import { apiHarness, bearer, promote } from './harness.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** An API whose log lines (as written, one per line) are collected. */
async function loggedApi(level: string) {
  const lines: string[] = [];
  const log = createLogger({
    level,
    destination: { write: (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)) },
  });
  return { lines, ...(await apiHarness({ log })) };
}

describe('metrics', () => {
  it('serves the process metrics, switchyard_build_info and request durations by route and status', async () => {
    const { app } = await apiHarness();
    await promote(app);
    await app.inject({ url: '/v1/promotions/p-9', headers: bearer('viewer') });
    const text = (await app.inject({ url: '/metrics' })).body;
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain(`switchyard_build_info{version="${version}",node="${process.version}"} 1`);
    expect(text).toMatch(
      /switchyard_http_request_duration_seconds_bucket\{le="[\d.+Inf]+",method="POST",route="\/v1\/promotions",status="201"\} 1/,
    );
    expect(text).toMatch(
      /switchyard_http_request_duration_seconds_count\{method="GET",route="\/v1\/promotions\/:id",status="404"\} 1/,
    );
  });

  it('keeps one set of process metrics however many registries a process builds', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.httpRequests.inc({ method: 'GET', route: '/a', status: 200 });
    const text = await second.registry.metrics();
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
    expect(text).toContain('switchyard_build_info');
    // Each registry keeps its own switchyard metrics.
    expect(text).not.toContain('route="/a"');
  });
});

describe('logs', () => {
  it('logs reads at debug (API reads, probes and scrapes alike), requests that may change something at info', async () => {
    const quiet = await loggedApi('info');
    for (const url of ['/healthz', '/readyz', '/metrics']) await quiet.app.inject({ url });
    await quiet.app.inject({ url: '/v1/me', headers: bearer('viewer') });
    await quiet.app.inject({ url: '/v1/promotions', headers: bearer('viewer') });
    await promote(quiet.app);
    await quiet.app.inject({ url: '/v1/promotions/p-1', headers: bearer('viewer') });
    const logged = quiet.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
    expect(logged.map((l) => [l.level, l.msg])).toEqual([
      [30, 'incoming request'],
      [30, 'request completed'],
    ]);
    expect(logged[0].req).toMatchObject({ method: 'POST', url: '/v1/promotions' });

    const verbose = await loggedApi('debug');
    await verbose.app.inject({ url: '/healthz' });
    await verbose.app.inject({ url: '/v1/me', headers: bearer('viewer') });
    const reads = verbose.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
    expect(reads.map((l) => [l.level, l.msg])).toEqual([
      [20, 'incoming request'],
      [20, 'request completed'],
      [20, 'incoming request'],
      [20, 'request completed'],
    ]);
  });

  it('writes only JSON lines, and the API raises no process warning (Node prints those as plain text)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const { app, lines, drive } = await loggedApi('debug');
      await promote(app);
      await drive('p-1', { until: (p) => p.traffic.green === 10 });
      await app.inject({ url: `/v1/promotions/${'x'.repeat(500)}`, headers: bearer('viewer') });
      await app.inject({ url: '/nowhere' });
      await app.inject({ method: 'POST', url: '/v1/promotions', headers: bearer('operator'), payload: '{' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it("sends Node's process warnings to the JSON log instead of stderr, and can put Node's printing back", async () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (chunk: string) => lines.push(chunk.trim()) } });
    const printers = process.listeners('warning');
    const restore = logProcessWarnings(log);
    try {
      expect(process.listeners('warning')).toHaveLength(1);
      process.emitWarning('switchyard test warning', { type: 'TestWarning', code: 'SY001' });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      restore();
    }
    expect(process.listeners('warning')).toEqual(printers);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'process warning: TestWarning',
        warning: { name: 'TestWarning', code: 'SY001', message: 'switchyard test warning' },
      }),
    ]);
  });
});
