/**
 * `make demo`: Switchyard's main job on the embedded default, end to end, on this machine. Starts the
 * sandbox (moto + two kube-apiservers, one per cluster slot), seeds a platform team's world, runs
 * `switchyard serve` as its own process, and drives three promotions with the CLI as a user would:
 *   1. shop (Route 53) 1.34 → 1.35, slot a → b: provision → qualify foundation (one deprecated-API
 *      warning) → services → traffic 1 → 10 → 50 → 100 %, each verified while the traffic probe sends
 *      requests through the weighted record → decommission after an admin approves; slot b is live now;
 *   2. shop again, 1.35 → 1.36 with the same platform file: slot b → a, slot a's cluster built anew;
 *   3. payments (ALB): traffic to 50 %, then the one-command rollback; its live slot does not move.
 * Ends with a summary (with the probe's evidence per step) and stops everything (KEEP=1 / --keep leaves
 * it running until Ctrl-C).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { probeLines } from '../../src/analysis/probe-lines.js';
import { cliEntry, startController } from './controller-process.js';
import { startTestEnvironment } from './environment.js';
import { projectRoot } from './tools.js';
import { createWorld, type World } from './world.js';

const keep = process.argv.includes('--keep');
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text: string) => console.log(text);
const heading = (text: string) => say(`\n${bold(`== ${text}`)}`);

heading('Switchyard demo');
say(`What happens: a sandbox with moto (AWS) and two local Kubernetes clusters (one per cluster slot: its
own apiserver, controllers, scheduler and kwok nodes, blue one minor below green); a controller process;
two successive upgrades of "shop" (Route 53) with the same platform file, each to decommission, the live
slot moving a → b → a, a traffic probe sending requests through the weighted record during every step;
"payments" (ALB) rolled back at 50 % with one command; a summary. Nothing leaves this machine.`);

const started = Date.now();
const environment = await startTestEnvironment();
const dir = join(projectRoot, '.cache/demo', new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(dir, { recursive: true });
const world = await createWorld(environment.info, dir, { shape: 'slots', kubeVersion: '1.34', probe: true });
const controller = await startController(world);
heading('Controller up');
say(`  API         ${world.url}/v1   (OpenAPI ${world.url}/openapi.json, browsable at ${world.url}/docs)
  metrics     ${world.url}/metrics
  CLI         export SWITCHYARD_URL=${world.url} SWITCHYARD_TOKEN=${world.tokens.operator}; switchyard status   (make install puts switchyard on the PATH)
  log         ${controller.logFile}
  sandbox     moto ${environment.info.awsEndpoint}, kubeconfig ${environment.info.kubeconfigPath} (contexts blue, green)`);

let exitCode = 0;
try {
  const shop = await promoteShop(world, 1, '1.35');
  say('\n$ switchyard platforms   (the live slot is stored state: the promotion moved it)');
  say((await cli(world, ['platforms'])).stdout.trimEnd());
  const shopAgain = await promoteShop(world, 2, '1.36');
  const payments = await rollBackPayments(world, '1.35');
  heading('Summary');
  const rows = [shop, shopAgain, payments].map((p) => [
    p.id,
    p.platform,
    `${p.fromVersion} → ${p.toVersion}`,
    `${p.blue.slot} → ${p.green.slot}`,
    p.phase,
    p.traffic.history
      .map((h: Json) => `${h.green}%${h.reason === 'step' ? '' : ` (${h.reason})`}`)
      .join(' → '),
    `${Math.round((Date.parse(p.finishedAt) - Date.parse(p.createdAt)) / 1000)} s`,
  ]);
  table([
    ['promotion', 'platform', 'versions', 'slots', 'result', 'green weight, verified at each step', 'took'],
    ...rows,
  ]);
  for (const p of [shop, shopAgain]) {
    say(
      `\ntraffic probe of ${p.id} (${p.blue.slot} → ${p.green.slot}), requests through the weighted record:`,
    );
    for (const line of probeLines(p.stages['shift-traffic']?.saved)) say(`  ${line}`);
  }
  say(`\nqualify-foundation said: ${shop.stages['qualify-foundation'].message}`);
  say(`rollback of payments: ${payments.rollback.message}`);
  say('\n$ switchyard platforms');
  say((await cli(world, ['platforms'])).stdout.trimEnd());
  say(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
} catch (error) {
  exitCode = 1;
  console.error(
    `demo failed: ${error instanceof Error ? error.message : String(error)} (controller log: ${controller.logFile})`,
  );
}

if (keep && exitCode === 0) {
  heading('Still running (KEEP=1)');
  say(`The controller and sandbox stay up; try: export SWITCHYARD_URL=${world.url} SWITCHYARD_TOKEN=${world.tokens.operator}; switchyard platforms
Press Ctrl-C to stop everything.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
heading('Stopping');
await controller.stop();
await world.close();
await environment.stop();
say('Stopped the controller, moto and both clusters; nothing is left running.');
process.exit(exitCode);

// ---------------------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field for display
type Json = Record<string, any>;

async function promoteShop(w: World, n: number, to: string): Promise<Json> {
  heading(`Promotion ${n}: shop (Route 53) to Kubernetes ${to}`);
  const id = JSON.parse((await cli(w, ['promote', 'shop', '--to', to, '--output', 'json'])).stdout)
    .id as string;
  say(`$ switchyard promote shop --to ${to}   → ${id}\n$ switchyard status ${id} --watch`);
  const watcher = watch(w, id);
  await until(w, id, (p) => p.phase === 'waiting-approval' || p.phase === 'rolled-back');
  say(
    `\n$ switchyard approve ${id} --gate decommission   (as an admin: deleting blue is the point of no return)`,
  );
  await cli(w, ['approve', id, '--gate', 'decommission'], w.tokens.admin);
  await finished(watcher);
  return api(w, `/v1/promotions/${id}`);
}

async function rollBackPayments(w: World, to: string): Promise<Json> {
  heading(`Promotion 3: payments (ALB) to ${to}, rolled back at 50 %`);
  const id = JSON.parse((await cli(w, ['promote', 'payments', '--to', to, '--output', 'json'])).stdout)
    .id as string;
  say(`$ switchyard promote payments --to ${to}   → ${id}\n$ switchyard status ${id} --watch`);
  const watcher = watch(w, id);
  await until(w, id, (p) => p.traffic.green === 50 || p.phase === 'rolled-back');
  say('\n$ switchyard rollback payments --reason "demo: error budget burning"');
  await cli(w, ['rollback', 'payments', '--reason', 'demo: error budget burning']);
  await finished(watcher);
  return api(w, `/v1/promotions/${id}`);
}

function cli(w: World, args: readonly string[], token = w.tokens.operator): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cliEntry, ...args],
      { env: { ...process.env, ...w.env, SWITCHYARD_TOKEN: token } },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`switchyard ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        else resolve({ stdout });
      },
    );
  });
}

/** `switchyard status <id> --watch`, showing its live output as it comes. */
function watch(w: World, id: string): ChildProcess {
  return spawn(process.execPath, [cliEntry, 'status', id, '--watch'], {
    env: { ...process.env, ...w.env, SWITCHYARD_TOKEN: w.tokens.viewer },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function finished(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode === null ? child.once('exit', () => resolve()) : resolve(),
  );
}

async function api(w: World, path: string): Promise<Json> {
  const response = await fetch(`${w.url}${path}`, {
    headers: { authorization: `Bearer ${w.tokens.viewer}` },
  });
  return (await response.json()) as Json;
}

async function until(w: World, id: string, done: (p: Json) => boolean): Promise<Json> {
  for (let i = 0; i < 1_200; i++) {
    const promotion = await api(w, `/v1/promotions/${id}`);
    if (done(promotion)) return promotion;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`promotion ${id} made no progress for 5 minutes`);
}

function table(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const [n, row] of rows.entries()) {
    say(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
    if (n === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
