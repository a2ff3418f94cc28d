/**
 * One side of the SSE benchmark, in its own process (the clients run in the bench process):
 *   ours — the REST API over a SQLite store holding a running promotion; on "write" it commits events
 *          the way the engine does (store.update: compare-and-swap of the record plus its events), each
 *          stamped with the wall-clock time of the write;
 *   bare — a plain node:http server that writes each event straight to every open stream: the floor of
 *          a pushed stream, with no store and no framework.
 * Talks to the bench over IPC: "ready" {port}, then "mark" → {lastSeq}, "write" {round, count, everyMs} → "written".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, Promotion } from '../../src/domain/promotion.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { apiHarness, promote } from '../../test/unit/api/harness.js';
import { wallMs } from './clock.js';

export interface Write {
  readonly round: number;
  readonly count: number;
  readonly everyMs: number;
}
type Message = { kind: 'mark' } | ({ kind: 'write' } & Write) | { kind: 'stop' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (message: object) => process.send?.(message);

function tick(round: number, n: number): NewEvent {
  // A type the product writes; the stream carries whatever type an event has.
  return {
    type: 'promotion.resumed',
    message: `bench ${round}/${n}`,
    actor: 'bench',
    data: { round, n, sentAt: wallMs() },
  };
}

async function ours() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sse-'));
  const store = openSqliteStore(join(dir, 'switchyard.db'));
  const { app } = await apiHarness({ store });
  await promote(app);
  let current = (await store.get('p-1')) as Promotion;
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    port: (app.server.address() as { port: number }).port,
    mark: async () => ({ lastSeq: (await store.events('p-1')).at(-1)?.seq ?? 0 }),
    async write({ round, count, everyMs }: Write) {
      for (let n = 0; n < count; n++) {
        current = await store.update(current, [tick(round, n)]);
        await sleep(everyMs);
      }
    },
    async stop() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function bare() {
  const streams = new Set<ServerResponse>();
  let seq = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    mark: async () => ({ lastSeq: seq }),
    async write({ round, count, everyMs }: Write) {
      for (let n = 0; n < count; n++) {
        const event = { seq: ++seq, promotionId: 'p-1', at: new Date().toISOString(), ...tick(round, n) };
        const frame = `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
        for (const res of streams) res.write(frame);
        await sleep(everyMs);
      }
    },
    async stop() {
      for (const res of streams) res.end();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const side = process.argv[2];
if (side !== 'ours' && side !== 'bare') throw new Error('usage: server.ts ours|bare');
const server = side === 'ours' ? await ours() : await bare();
process.on('message', (message: Message) => {
  if (message.kind === 'mark') void server.mark().then((mark) => send({ kind: 'mark', ...mark }));
  if (message.kind === 'write') void server.write(message).then(() => send({ kind: 'written' }));
  if (message.kind === 'stop') void server.stop().then(() => process.exit(0));
});
send({ kind: 'ready', port: server.port });
