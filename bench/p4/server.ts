/**
 * One side of the P4 benchmark, in its own process so the load generator never shares its event loop:
 *   ours <dir> — the REST API over a SQLite store holding a promotion driven through its traffic steps
 *                to the decommission gate (stages, traffic history, gates, events), logging at info as
 *                the controller does;
 *   bare <file> — a bare fastify app answering every request with the JSON in <file>.
 * Prints "READY <port>" once it listens, and stops on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { testPlan } from '../../test/fakes/promotions.js';
import { apiHarness, bearer, promote } from '../../test/unit/api/harness.js';

const [side, path] = process.argv.slice(2);
if (path === undefined || (side !== 'ours' && side !== 'bare'))
  throw new Error('usage: server.ts ours|bare <path>');

async function ours(dir: string) {
  const store = openSqliteStore(join(dir, 'switchyard.db'));
  const { app, drive } = await apiHarness({
    store,
    plan: testPlan({ approvalAt: [50] }),
    publicReads: false,
    log: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) }),
  });
  await promote(app);
  // Past the 50 % gate to the decommission gate: every traffic step, its history and events, two gates.
  await drive('p-1');
  await app.inject({ method: 'POST', url: '/v1/promotions/p-1/approve', headers: bearer('operator') });
  await drive('p-1');
  return { app, close: () => store.close() };
}

async function bare(file: string) {
  const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const app = Fastify();
  app.get('/v1/promotions/:id', async () => body);
  return { app, close: async () => {} };
}

const server = side === 'ours' ? await ours(path) : await bare(path);
await server.app.listen({ host: '127.0.0.1', port: 0 });
const address = server.app.server.address();
console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => {
  void server.app
    .close()
    .then(server.close)
    .then(() => process.exit(0));
});
