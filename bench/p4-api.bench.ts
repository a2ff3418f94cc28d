/**
 * P4: GET /v1/promotions/{id} served by Switchyard's API, against a bare fastify app serving the same
 * JSON.
 *
 * OURS: the REST API (auth, mutation budget, metrics, logging at info, the compiled serializer, the
 * kept bodies) over a SQLite store holding a promotion at its decommission gate, in its own process.
 * Also measured, not in the ratio: ours with its kept bodies defeated (each request asks a page size
 * the cache does not hold, answered with the same bytes), i.e. a store read and a serialization each.
 * BASELINE: a bare fastify app in its own process answering the same route with the same JSON (parsed
 * once, serialized by fastify's default JSON.stringify per request).
 * Both are driven by the same keep-alive load generator from this process, one after the other in each
 * round (order alternating), for runs() rounds; the figure is the ratio of median requests per second.
 * The servers' CPU per request is read from /proc over the same spans.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokens } from '../test/unit/api/harness.js';
import { get, load, type Round, startServer } from './p4/load.js';
import { median, printFigure, runs } from './support.js';

type Side = 'ours' | 'bare' | 'uncached';
const dir = mkdtempSync(join(tmpdir(), 'bench-p4-'));
const path = '/v1/promotions/p-1';
const headers = { authorization: `Bearer ${tokens.viewer}` };
const settings = { path: () => path, headers, connections: 16, seconds: 2 };
// Page sizes above the promotion's event count answer the same bytes; 100 of them outrun the cache.
const uncached = { ...settings, path: (n: number) => `${path}?eventsLimit=${101 + (n % 100)}` };

const ours = await startServer('ours', dir);
let bare: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  const body = await get(new Agent(), ours.port, path, headers);
  const file = join(dir, 'promotion.json');
  writeFileSync(file, body);
  const baseline = await startServer('bare', file);
  bare = baseline;
  const bareBody = await get(new Agent(), baseline.port, path, headers);
  if (bareBody !== body) throw new Error('the bare app does not answer the same bytes');
  if ((await get(new Agent(), ours.port, uncached.path(7), headers)) !== body)
    throw new Error('a larger page does not answer the same bytes');

  // Warm both (JIT, caches) before measuring.
  await load(ours, { ...settings, seconds: 1 });
  await load(ours, { ...uncached, seconds: 1 });
  await load(baseline, { ...settings, seconds: 1 });
  const results: Record<Side, Round[]> = { ours: [], bare: [], uncached: [] };
  const measure = (side: Side) =>
    side === 'ours'
      ? load(ours, settings)
      : side === 'bare'
        ? load(baseline, settings)
        : load(ours, uncached);
  for (let run = 0; run < runs(); run++) {
    const order: Side[] = run % 2 === 0 ? ['ours', 'bare', 'uncached'] : ['uncached', 'bare', 'ours'];
    for (const side of order) results[side].push(await measure(side));
  }
  const rps = (side: Side) => median(results[side].map((r) => r.requestsPerSecond));
  const cpu = (side: Side) => median(results[side].map((r) => r.cpuMsPerRequest));
  const failures = Object.values(results)
    .flat()
    .reduce((sum, r) => sum + r.failures, 0);
  const ratio = rps('ours') / rps('bare');
  printFigure({
    id: 'P4',
    title: 'GET /v1/promotions/{id} req/s ÷ a bare fastify app serving the same JSON',
    value: ratio,
    unit: '×',
    goal: '≥ 0.5',
    met: ratio >= 0.5 && failures === 0,
    details: {
      body: `${body.length} bytes, ${(JSON.parse(body) as { events: unknown[] }).events.length} events`,
      load: `${settings.connections} keep-alive connections × ${settings.seconds} s per round, ${runs()} rounds each`,
      'ours req/s (median)': rps('ours').toFixed(0),
      'baseline req/s (median)': rps('bare').toFixed(0),
      'ours req/s per round': results.ours.map((r) => r.requestsPerSecond.toFixed(0)).join(', '),
      'baseline req/s per round': results.bare.map((r) => r.requestsPerSecond.toFixed(0)).join(', '),
      'ours server CPU per request (median)': `${cpu('ours').toFixed(3)} ms`,
      'baseline server CPU per request (median)': `${cpu('bare').toFixed(3)} ms`,
      'ours without kept bodies req/s (median)': `${rps('uncached').toFixed(0)} (ratio ${(rps('uncached') / rps('bare')).toFixed(2)})`,
      'ours without kept bodies req/s per round': results.uncached
        .map((r) => r.requestsPerSecond.toFixed(0))
        .join(', '),
      'ours without kept bodies CPU per request (median)': `${cpu('uncached').toFixed(3)} ms`,
      'failed requests': String(failures),
    },
  });
} finally {
  await bare?.stop();
  await ours.stop();
  rmSync(dir, { recursive: true, force: true });
}
