/**
 * P1: `switchyard rollback`, from starting the CLI process to the weights verified at blue 100 %, against
 * the least a rollback can cost: one bare ChangeResourceRecordSets from a fresh process with the SDK
 * (bench/baseline/route53-change.mjs). Both are separate processes started the same way, alternately, on
 * the same moto. Also counts the Route 53 calls the controller made for each rollback: one write, one
 * read before it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliEntry, startController } from '../test/env/controller-process.js';
import { startFaultProxy } from '../test/env/fault-proxy.js';
import { createWorld } from '../test/env/world.js';
import {
  controllerApi,
  type Json,
  median,
  ms,
  printFigure,
  repeat,
  runs,
  startSandbox,
  waitForPromotion,
} from './support.js';

const sandbox = await startSandbox('p1');
const env = sandbox.environment.info;
// The controller reaches moto through a proxy that lists every call; nothing is faulted.
const proxy = await startFaultProxy(env.awsEndpoint);
const world = await createWorld(env, sandbox.dir, {
  awsEndpoint: proxy.url,
  platform: {
    // Traffic sits at 50 % to green until the rollback; green goes once the drain delay is over (the
    // ALB platform beside it needs 10 s).
    steps: [
      { green: 50, bake: '1h' },
      { green: 100, bake: '1s' },
    ],
    rollback: { mode: 'instant', green: 'teardown', drainDelay: '10s' },
  },
});
const controller = await startController(world);

const api = controllerApi({ url: world.url, token: world.tokens.admin });
const waitFor = (id: string, until: (p: Json) => boolean, timeoutMs?: number) =>
  waitForPromotion(api, id, until, timeoutMs);

/** Runs a process to its end; resolves with its stdout, rejects on a non-zero exit. */
function runProcess(args: string[], extraEnv: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args[0]}: ${code} ${err}`)),
    );
  });
}

const baseline: number[] = [];
const cliExit: number[] = [];
const serverSide: number[] = [];
const writes: number[] = [];
const readsBefore: number[] = [];

const ours = await repeat(runs(), async () => {
  const started = await api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
  await waitFor(started.id, (p) => p.traffic.green === 50 || p.phase !== 'running');

  // Baseline first, so both run against the same moto with the same data in it.
  const spawnedBare = Date.now();
  const bare = await runProcess([join(import.meta.dirname, 'baseline/route53-change.mjs')], {
    BENCH_ENDPOINT: env.awsEndpoint,
    BENCH_ZONE: world.aws.hostedZoneId,
    BENCH_RECORD: 'bench.example.test',
  });
  baseline.push(Number(/DONE (\d+)/.exec(bare)?.[1]) - spawnedBare);

  const spawned = Date.now();
  const callsBefore = proxy.calls.length;
  await runProcess([cliEntry, 'rollback', 'shop', '--reason', 'bench'], {
    SWITCHYARD_URL: world.url,
    SWITCHYARD_TOKEN: world.tokens.operator,
  });
  cliExit.push(Date.now() - spawned);
  const done = await waitFor(started.id, (p) => p.phase === 'rolled-back', 60_000);
  const verified = done.events.find(
    (e: Json) => e.type === 'traffic.verified' && e.data?.green === 0 && Date.parse(e.at) >= spawned,
  );
  if (verified === undefined) throw new Error(`no verified rollback event in ${started.id}`);
  const requested = done.events.find((e: Json) => e.type === 'rollback.requested');
  serverSide.push(Date.parse(verified.at) - Date.parse(requested?.at ?? verified.at));

  const route53 = proxy.calls
    .slice(callsBefore)
    .filter((c) => c.service === 'route53' && c.at <= Date.parse(verified.at));
  const firstWrite = route53.findIndex(
    (c) => c.operation.startsWith('POST ') && c.operation.endsWith('/rrset'),
  );
  writes.push(
    route53.filter((c) => c.operation.startsWith('POST ') && c.operation.endsWith('/rrset')).length,
  );
  readsBefore.push(route53.slice(0, firstWrite).filter((c) => c.operation.startsWith('GET ')).length);
  return Date.parse(verified.at) - spawned;
});

const ratio = median(ours) / median(baseline);
printFigure({
  id: 'P1',
  title: '`switchyard rollback` to weights verified ÷ one bare ChangeResourceRecordSets process',
  value: ratio,
  unit: '×',
  goal: '≤ 1.5, one mutating call',
  met: ratio <= 1.5 && writes.every((w) => w === 1),
  details: {
    runs: String(ours.length),
    'ours: CLI start → blue 100 % verified (median)': ms(median(ours)),
    'ours: CLI process start → exit (median)': ms(median(cliExit)),
    'ours: controller, rollback request stored → verified (median)': ms(median(serverSide)),
    'baseline: process start → ChangeResourceRecordSets answered (median)': ms(median(baseline)),
    'Route 53 writes per rollback': writes.join(', '),
    'Route 53 reads before the write': readsBefore.join(', '),
  },
});

await controller.stop();
await world.close();
await proxy.close();
await sandbox.close();
