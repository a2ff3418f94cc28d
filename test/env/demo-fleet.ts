/**
 * `make demo-fleet`: a small fleet upgraded in waves, end to end, on this machine. Starts the sandbox,
 * seeds a world with six more Route 53 platforms (each its own EKS clusters and weighted record in
 * moto) labelled dev / prod canary / prod, writes one strategy into the controller's fleetsDir, runs
 * `switchyard serve` as its own process and drives it with the CLI as a user would:
 *   fleet strategies → fleet plan (a dry run) → fleet start → fleet status --watch until the run ends,
 * approving the prod-canary stage when it waits for a person. dev (both at once) → prod-canary (one)
 * → prod (half at a time, in the order of their `order` label, after a short wait). Ends with the
 * stored timeline (stages in order, the most members in flight per stage against its limit, each
 * member's soak) and stops everything (KEEP=1 / --keep leaves it running until Ctrl-C).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliEntry, startController } from './controller-process.js';
import { startTestEnvironment } from './environment.js';
import { projectRoot } from './tools.js';
import type { World } from './world.js';
import { createFleetWorld, type FleetWorld } from './world-fleet.js';

const keep = process.argv.includes('--keep');
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text: string) => console.log(text);
const heading = (text: string) => say(`\n${bold(`== ${text}`)}`);

// The fleet: index → labels. Two dev platforms, one production canary, three production platforms
// whose `order` label starts them last-created first, to show orderBy.
const fleetLabels = [
  { env: 'dev' },
  { env: 'dev' },
  { env: 'prod', ring: 'canary' },
  { env: 'prod', ring: 'main', order: '3' },
  { env: 'prod', ring: 'main', order: '2' },
  { env: 'prod', ring: 'main', order: '1' },
];
const target = '1.36';

// biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field for display
type Json = Record<string, any>;

// The standard strategy's shape (config/fleets/standard.yaml) with demo timings: soaks of seconds, not
// minutes, and a wait of seconds before prod.
const waves = {
  name: 'waves',
  stages: [
    { name: 'dev', selector: { env: 'dev' }, maxConcurrency: '100%', memberSoak: '5s', onFailure: 'halt' },
    {
      name: 'prod-canary',
      selector: { env: 'prod', ring: 'canary' },
      maxConcurrency: 1,
      memberSoak: '10s',
      after: [{ approval: true }],
      onFailure: 'rollback-in-flight',
    },
    {
      name: 'prod',
      selector: { env: 'prod', ring: 'main' },
      maxConcurrency: '50%',
      maxFailures: 1,
      memberSoak: '5s',
      orderBy: 'order',
      after: [{ wait: '5s' }],
      onFailure: 'halt',
    },
  ],
  memberStartDeadline: '5m',
};

heading('Switchyard fleet demo');
say(`What happens: a sandbox with moto (AWS) and two local Kubernetes clusters; six platforms labelled
dev (2), prod canary (1) and prod (3), each with its own EKS clusters and weighted Route 53 record; a
controller process with the fleet strategy "waves"; one fleet run to Kubernetes ${target}: dev both at
once → prod-canary after a person approves → prod half at a time after a short wait. A member counts
once its own promotion reached the decommission gate and stayed healthy for the stage's soak.
Nothing leaves this machine.`);

const started = Date.now();
const environment = await startTestEnvironment();
const dir = join(projectRoot, '.cache/demo-fleet', new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(dir, { recursive: true });
const world = await createFleetWorld(environment.info, dir, {
  count: fleetLabels.length,
  pollInterval: '500ms',
  labels: (index) => fleetLabels[index] ?? {},
  // Short bakes: each member's promotion goes 50 → 100 % in seconds.
  platform: {
    steps: [
      { green: 50, bake: '2s' },
      { green: 100, bake: '2s' },
    ],
  },
  strategies: { 'waves.yaml': waves },
});
const controller = await startController(world);
heading('Controller up');
say(`  API         ${world.url}/v1   (dashboard ${world.url}/)
  CLI         export SWITCHYARD_URL=${world.url} SWITCHYARD_TOKEN=${world.tokens.operator}; switchyard fleet status   (make install puts switchyard on the PATH)
  strategies  ${join(dir, 'fleets')}
  log         ${controller.logFile}`);

let exitCode = 0;
try {
  await show(world, ['fleet', 'strategies']);
  await show(world, ['fleet', 'plan', '--strategy', 'waves', '--target', target]);

  heading('Fleet run');
  const startOutput = await show(world, ['fleet', 'start', '--strategy', 'waves', '--target', target]);
  const id = /started fleet run (\S+):/.exec(startOutput)?.[1];
  if (id === undefined) throw new Error(`fleet start printed no run id:\n${startOutput}`);
  say(`\n$ switchyard fleet status ${id} --watch`);
  const watcher = watchRun(world, id);
  // The person approves once the watch shows the stage waiting for them, so the log reads in order.
  if (await watcher.printed(/ stage {3}prod-canary gated$/)) {
    say(
      `\n$ switchyard fleet approve ${id} --stage prod-canary   (a person: dev is done, go on to production)`,
    );
    await cli(world, ['fleet', 'approve', id, '--stage', 'prod-canary']);
  }
  const watchExit = await watcher.exited;
  const run = await api(world, `/v1/fleet-runs/${id}`);
  await show(world, ['fleet', 'status', id]);
  summarise(run);
  if (watchExit !== 0 || run.state !== 'succeeded') throw new Error(`the run ended ${run.state}`);
  say(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
} catch (error) {
  exitCode = 1;
  console.error(
    `demo failed: ${error instanceof Error ? error.message : String(error)} (controller log: ${controller.logFile})`,
  );
}

if (keep && exitCode === 0) {
  heading('Still running (KEEP=1)');
  say(`The controller and sandbox stay up; try: export SWITCHYARD_URL=${world.url} SWITCHYARD_TOKEN=${world.tokens.operator}; switchyard fleet plan --strategy waves --target ${target}
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

/** The stored timeline, read back: stages in order, the most members in flight at once, each soak. */
function summarise(run: Json): void {
  heading('Summary (from the stored run)');
  const t0 = Date.parse(run.createdAt);
  const at = (iso: string | undefined) => (iso ? `+${Math.round((Date.parse(iso) - t0) / 1000)}s` : '-');
  const members = run.members as Json[];
  const stageRows = (run.stages as Json[]).map((stage) => {
    const spans = members
      .filter((m) => m.stage === stage.name && m.startedAt && m.finishedAt)
      .map((m) => [Date.parse(m.startedAt), Date.parse(m.finishedAt)] as const);
    const most = Math.max(
      0,
      ...spans.map(([start]) => spans.filter(([a, b]) => a <= start && start < b).length),
    );
    const gates = (stage.gates as Json[])
      .map((g) => (g.gate.kind === 'approval' ? `approved by ${g.by ?? '?'}` : `waited ${g.gate.ms / 1000}s`))
      .join(', ');
    return [
      stage.name,
      stage.state,
      at(stage.startedAt),
      at(stage.finishedAt),
      `${most} / ${stage.concurrency}`,
      gates || '-',
    ];
  });
  table([['stage', 'result', 'opened', 'finished', 'most at once / limit', 'gates'], ...stageRows]);
  say('');
  const memberRows = members.map((m) => [
    m.stage,
    m.platform,
    m.promotionId ?? '-',
    at(m.startedAt),
    at(m.finishedAt),
    m.state,
  ]);
  table([['stage', 'member', 'its promotion', 'started', 'counted', 'result'], ...memberRows]);
  say(`\nEach member's promotion now waits at the decommission gate: deleting the old cluster stays a person's
approval (switchyard approve <promotion> --gate decommission), as for any promotion.`);
}

/** Runs a CLI command, printing it and its output as a terminal would; returns the output. */
async function show(w: World, args: readonly string[]): Promise<string> {
  say(`\n$ switchyard ${args.join(' ')}`);
  const { stdout } = await cli(w, args);
  say(stdout.trimEnd());
  return stdout;
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

interface Watch {
  /** Its exit code: 0 when the run succeeded. */
  readonly exited: Promise<number>;
  /** True once it printed a line matching `pattern`; false if it ended without one. */
  printed(pattern: RegExp): Promise<boolean>;
}

/**
 * `switchyard fleet status <id> --watch`, its output relayed as it comes. Its stdout is a pipe, so the
 * CLI prints one line per change instead of redrawing the screen over the demo's earlier output.
 */
function watchRun(w: FleetWorld, id: string): Watch {
  const child = spawn(process.execPath, [cliEntry, 'fleet', 'status', id, '--watch', '--interval', '1'], {
    env: { ...process.env, ...w.env, SWITCHYARD_TOKEN: w.tokens.viewer },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: { pattern: RegExp; resolve: (seen: boolean) => void }[] = [];
  lines.on('line', (line) => {
    say(line);
    for (const waiter of waiting.filter((x) => x.pattern.test(line))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      // A change comes as several lines at once: let the rest of them print first.
      setTimeout(() => waiter.resolve(true), 200);
    }
  });
  // close, not exit: the last lines may still be in the pipe when the process exits.
  const exited = new Promise<number>((resolve) =>
    child.once('close', (code) => {
      for (const waiter of waiting.splice(0)) waiter.resolve(false);
      resolve(code ?? 1);
    }),
  );
  return {
    exited,
    printed: (pattern) =>
      child.exitCode === null
        ? new Promise((resolve) => waiting.push({ pattern, resolve }))
        : Promise.resolve(false),
  };
}

async function api(w: World, path: string): Promise<Json> {
  const response = await fetch(`${w.url}${path}`, {
    headers: { authorization: `Bearer ${w.tokens.viewer}` },
  });
  return (await response.json()) as Json;
}

function table(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const [n, row] of rows.entries()) {
    say(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
    if (n === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
