/**
 * SSE: from a store write to its receipt by 100 clients of one promotion's event stream.
 *
 * OURS: the REST API over a SQLite store (its own process) holding a running promotion; the writer
 * commits events as the engine does (store.update: the record's compare-and-swap plus its events), one
 * every 25 ms, each stamped with the wall clock; 100 clients (this process) hold the stream open from
 * the last event (Last-Event-ID) and note when each event arrives.
 * BASELINE: a plain node:http server (its own process) writing each event straight to the 100 open
 * streams: the floor of a pushed stream.
 * runs() rounds each, alternating; per round p50 and p95 over every (client, event) delivery; the
 * figure is the median over rounds of OURS' p95, and every client must have had every event in order.
 */
import { tokens } from '../test/unit/api/harness.js';
import { connect, type StreamClient, startSide } from './sse/clients.js';
import { median, ms, percentile, printFigure, runs } from './support.js';

const clients = 100;
const write = { count: 40, everyMs: 25 };
const headers = { authorization: `Bearer ${tokens.viewer}` };

interface Round {
  readonly p50: number;
  readonly p95: number;
  readonly complete: boolean;
}

const sides = { ours: await startSide('ours'), bare: await startSide('bare') };
let round = 0;

async function measure(side: 'ours' | 'bare'): Promise<Round> {
  const server = sides[side];
  round++;
  const { lastSeq } = await server.ask<{ lastSeq: number }>({ kind: 'mark' }, 'mark');
  const streams: StreamClient[] = Array.from({ length: clients }, () =>
    connect(server.port, { lastSeq, round, headers }),
  );
  await Promise.all(streams.map((s) => s.open));
  await server.ask({ kind: 'write', round, ...write }, 'written');
  // Let the last event reach everyone (or give up: a missing event is a failed round, not a hang).
  const deadline = Date.now() + 5_000;
  while (streams.some((s) => s.ns.length < write.count) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const s of streams) s.close();
  const expected = Array.from({ length: write.count }, (_, n) => n);
  const complete = streams.every(
    (s) => s.ns.join() === expected.join() && s.seqs.every((seq, i) => i === 0 || seq > (s.seqs[i - 1] ?? 0)),
  );
  const latencies = streams.flatMap((s) => s.latencies);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), complete };
}

try {
  await measure('ours');
  await measure('bare');
  const results: Record<'ours' | 'bare', Round[]> = { ours: [], bare: [] };
  for (let run = 0; run < runs(); run++) {
    const order = run % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
    for (const side of order) results[side].push(await measure(side));
  }
  const p95 = (side: 'ours' | 'bare') => median(results[side].map((r) => r.p95));
  const p50 = (side: 'ours' | 'bare') => median(results[side].map((r) => r.p50));
  const complete = results.ours.every((r) => r.complete);
  printFigure({
    id: 'SSE',
    title: 'store write → receipt by 100 clients of one event stream, p95',
    value: p95('ours'),
    unit: 'ms',
    goal: '< 50 ms, every event to every client in order',
    met: p95('ours') < 50 && complete,
    details: {
      load: `${clients} clients, ${write.count} events one every ${write.everyMs} ms per round, ${runs()} rounds each`,
      'ours p50 / p95 (median of rounds)': `${ms(p50('ours'))} / ${ms(p95('ours'))}`,
      'baseline p50 / p95 (median of rounds)': `${ms(p50('bare'))} / ${ms(p95('bare'))}`,
      'ours p95 per round': results.ours.map((r) => ms(r.p95)).join(', '),
      'baseline p95 per round': results.bare.map((r) => ms(r.p95)).join(', '),
      'ours p95 ÷ baseline p95': (p95('ours') / p95('bare')).toFixed(2),
      'every event to every client, in order': `ours ${complete ? 'yes' : 'NO'}, baseline ${results.bare.every((r) => r.complete) ? 'yes' : 'NO'}`,
    },
  });
} finally {
  await sides.ours.stop();
  await sides.bare.stop();
}
