/**
 * P3 — one `switchyard serve` process driving a fleet: N Route 53 platforms (copies of the world's shop,
 * each with its own clusters and record set in one hosted zone), N promotions started through the REST
 * API at once, timed until every one waits at the decommission gate.
 *
 * Per run: wall time to all gates, cost per promotion (wall / N), peak RSS (VmHWM) and idle RSS (after
 * start, N platforms loaded, nothing running), reconcile pass percentiles from /metrics, and how much
 * of the pass time was spent waiting on AWS (moto, one core) rather than in our code.
 *
 * The baseline for "flat" is the cost per promotion at N = 50 in the same run; the headline is the
 * ratio at N = 200 (wall / N), beside the same ratio of the controller's own CPU per promotion, which
 * leaves out the time moto (one Python process) takes to answer. Sizes run interleaved with the
 * product's default concurrency: N = 50 runs() times, N = 200 BENCH_P3_RUNS200 times (default 2: one
 * run takes minutes here). BENCH_P3_SIZES=50,100,200 adds sizes; BENCH_P3_OLD=1 adds N = 50 at the old
 * default concurrency of 4; BENCH_P3_EXPLORE=100:16,100:64 runs just those once each.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startController } from '../test/env/controller-process.js';
import { resetMoto } from '../test/env/moto.js';
import { createFleetWorld, type FleetWorld } from '../test/env/world-fleet.js';
import { controllerApi, median, printFigure, runs, startSandbox } from './support.js';

interface Sample {
  readonly count: number;
  readonly concurrency: number | 'default';
  readonly wallMs: number;
  readonly perPromotionMs: number;
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  readonly passP50Ms: number;
  readonly passP99Ms: number;
  readonly passesWithin100Ms: number;
  readonly passes: number;
  /** The controller's own CPU time (user + system) from the first request to the last gate, per promotion. */
  readonly cpuMsPerPromotion: number;
  /** Seconds inside passes, summed over passes, and seconds inside AWS calls (moto's answer time). */
  readonly passSeconds: number;
  readonly awsSeconds: number;
  readonly awsCalls: number;
  readonly awsCallMeanMs: number;
  /** Mean milliseconds per call by AWS service: which of moto's services slows as the fleet grows. */
  readonly awsMeanMsByService: Readonly<Record<string, number>>;
}

const sizes = (process.env.BENCH_P3_SIZES ?? '50,200').split(',').map(Number);
const largest = Math.max(...sizes);
const sandbox = await startSandbox('p3');
const { info } = sandbox.environment;
const steps = [50, 100].map((green) => ({ green, bake: '1s' }));

/** User + system CPU milliseconds the process has used (/proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

const api = (world: FleetWorld, method: string, path: string, body?: unknown) =>
  controllerApi({ url: world.url, token: world.tokens.operator })(method, path, body);

/** Promotions of the fleet by where they are: at the decommission gate, or ended without reaching it. */
async function fleetState(world: FleetWorld): Promise<{ atGate: number; ended: string[] }> {
  let atGate = 0;
  const ended: string[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await api(world, 'GET', `/v1/promotions?limit=200&offset=${offset}`);
    for (const p of page.items) {
      if (p.phase === 'waiting-approval' && p.currentStage === 'decommission') atGate++;
      else if (!['running', 'pending', 'waiting-approval'].includes(p.phase)) {
        ended.push(`${p.platform} ${p.phase} at ${p.currentStage}: ${p.stages?.[p.currentStage]?.message}`);
      }
    }
    if (page.items.length < 200) return { atGate, ended };
  }
}

/** Buckets of a Prometheus histogram (cumulative counts by upper bound), plus its sum and count. */
function histogram(text: string, name: string, labels = '') {
  const buckets: { le: number; count: number }[] = [];
  const bucket = new RegExp(`^${name}_bucket\\{${labels}(?:,)?le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(bucket)) buckets.push({ le: Number(m[1]), count: Number(m[2]) });
  const scalar = (suffix: string) =>
    Number(
      new RegExp(`^${name}_${suffix}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return { buckets, sum: scalar('sum'), count: scalar('count') };
}

/** The bucket bound at or below which p percent of observations fall (an upper estimate). */
function bucketPercentile(buckets: readonly { le: number; count: number }[], p: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  return buckets.find((b) => b.count >= (p / 100) * total)?.le ?? Number.NaN;
}

async function fleetRun(count: number, concurrency: number | 'default'): Promise<Sample> {
  await resetMoto(info.awsEndpoint);
  const dir = mkdtempSync(join(sandbox.dir, `n${count}-`));
  const world = await createFleetWorld(info, dir, {
    count,
    platform: { steps },
    mutationsPerMinute: 100_000,
    reconciler: { maxConcurrentPlatforms: concurrency === 'default' ? undefined : concurrency },
  });
  // BENCH_P3_PROFILE=<dir> writes the controller's CPU and heap profiles there (at its exit).
  const profile = process.env.BENCH_P3_PROFILE;
  const controller = await startController(world, 'controller', [
    ...(profile ? ['--cpu-prof', '--heap-prof', `--diagnostic-dir=${profile}`] : []),
    // e.g. --heapsnapshot-signal=SIGUSR2, to take a snapshot at the peak.
    ...(process.env.BENCH_P3_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ]);
  try {
    await sleep(1_000);
    const idleRssMb = procStatusMb(controller.pid, 'VmRSS');
    const started = performance.now();
    const cpuAtStart = cpuMs(controller.pid);
    for (let i = 0; i < world.fleet.length; i += 16) {
      await Promise.all(
        world.fleet
          .slice(i, i + 16)
          .map((platform) => api(world, 'POST', '/v1/promotions', { platform, targetVersion: '1.36' })),
      );
    }
    for (;;) {
      const { atGate, ended } = await fleetState(world);
      if (ended.length > 0) throw new Error(`promotions ended early:\n${ended.slice(0, 5).join('\n')}`);
      if (atGate === count) break;
      if (performance.now() - started > 20 * 60_000) throw new Error(`only ${atGate}/${count} at the gate`);
      // Not more often: each look lists every promotion, which at N = 200 is work for the controller too.
      await sleep(2_000);
    }
    const wallMs = performance.now() - started;
    const peakRssMb = procStatusMb(controller.pid, 'VmHWM');
    const cpuUsed = cpuMs(controller.pid) - cpuAtStart;
    const text = await (await fetch(`${world.url}/metrics`)).text();
    const passes = histogram(text, 'switchyard_reconcile_duration_seconds');
    const within = passes.buckets.find((b) => b.le === 0.1)?.count ?? 0;
    let awsSeconds = 0;
    let awsCalls = 0;
    const awsMeanMsByService: Record<string, number> = {};
    for (const provider of ['eks', 'route53', 'elbv2', 'cloudwatch']) {
      const calls = histogram(text, 'switchyard_provider_call_duration_seconds', `provider="${provider}"`);
      awsSeconds += calls.sum;
      awsCalls += calls.count;
      if (calls.count > 0) awsMeanMsByService[provider] = Math.round((calls.sum / calls.count) * 1000);
    }
    return {
      count,
      concurrency,
      wallMs,
      perPromotionMs: wallMs / count,
      idleRssMb,
      peakRssMb,
      passP50Ms: bucketPercentile(passes.buckets, 50) * 1000,
      passP99Ms: bucketPercentile(passes.buckets, 99) * 1000,
      passesWithin100Ms: passes.count === 0 ? 0 : within / passes.count,
      passes: passes.count,
      cpuMsPerPromotion: cpuUsed / count,
      passSeconds: passes.sum,
      awsSeconds,
      awsCalls,
      awsCallMeanMs: awsCalls === 0 ? 0 : (awsSeconds / awsCalls) * 1000,
      awsMeanMsByService,
    };
  } finally {
    await controller.stop();
    await world.close();
  }
}

function describe(samples: readonly Sample[]): string {
  const m = (pick: (s: Sample) => number) => median(samples.map(pick));
  return [
    `${samples.length} runs`,
    `wall ${(m((s) => s.wallMs) / 1000).toFixed(1)} s`,
    `${m((s) => s.perPromotionMs).toFixed(0)} ms/promotion`,
    `RSS idle ${m((s) => s.idleRssMb).toFixed(0)} MB, peak ${Math.max(...samples.map((s) => s.peakRssMb)).toFixed(0)} MB`,
    `pass p50 ≤ ${m((s) => s.passP50Ms)} ms, p99 ≤ ${m((s) => s.passP99Ms)} ms, ${(m((s) => s.passesWithin100Ms) * 100).toFixed(0)} % ≤ 100 ms of ${m((s) => s.passes)}`,
    `controller CPU ${m((s) => s.cpuMsPerPromotion).toFixed(0)} ms/promotion`,
    `Σ pass time ${m((s) => s.passSeconds).toFixed(0)} s vs Σ AWS call time ${m((s) => s.awsSeconds).toFixed(0)} s (${m((s) => s.awsCalls)} calls, mean ${m((s) => s.awsCallMeanMs).toFixed(0)} ms each)`,
  ].join('; ');
}

const results = new Map<string, Sample[]>();
const record = (key: string, sample: Sample) => {
  results.set(key, [...(results.get(key) ?? []), sample]);
  console.log(`  ${key}: ${JSON.stringify(sample)}`);
};
const explore = process.env.BENCH_P3_EXPLORE?.split(',').map((pair) => pair.split(':'));
try {
  if (explore) {
    for (const [count, concurrency] of explore) {
      const sample = await fleetRun(
        Number(count),
        concurrency === 'default' ? 'default' : Number(concurrency),
      );
      record(`N=${count} concurrency ${concurrency}`, sample);
    }
  }
  const repetitions = explore ? 0 : runs();
  const largestRuns = Number(process.env.BENCH_P3_RUNS200 ?? 2);
  // Interleaved, so drift on this shared machine touches every size alike.
  for (let run = 0; run < repetitions; run++) {
    for (const count of sizes) {
      if (count === largest && run >= largestRuns) continue;
      record(`N=${count} default`, await fleetRun(count, 'default'));
    }
    if (process.env.BENCH_P3_OLD) {
      record(`N=${sizes[0]} concurrency 4`, await fleetRun(sizes[0] as number, 4));
    }
  }
} finally {
  await sandbox.close();
}

if (explore) process.exit(0);
const smallest = `N=${sizes[0]} default`;
const biggest = `N=${largest} default`;
const medianOf = (key: string, pick: (s: Sample) => number) => median((results.get(key) ?? []).map(pick));
const wallRatio = medianOf(biggest, (s) => s.perPromotionMs) / medianOf(smallest, (s) => s.perPromotionMs);
const cpuRatio =
  medianOf(biggest, (s) => s.cpuMsPerPromotion) / medianOf(smallest, (s) => s.cpuMsPerPromotion);
// The slope: what each promotion beyond the smallest fleet added to the wall time.
const marginalMs =
  (medianOf(biggest, (s) => s.wallMs) - medianOf(smallest, (s) => s.wallMs)) /
  (largest - (sizes[0] as number));
const peak = Math.max(...(results.get(biggest) ?? []).map((s) => s.peakRssMb));
const details: Record<string, string> = Object.fromEntries(
  [...results].map(([key, samples]) => [key, describe(samples)]),
);
if (results.has(`N=${sizes[0]} concurrency 4`)) {
  details[`old default (4) over default, wall at N=${sizes[0]}`] =
    `${(medianOf(`N=${sizes[0]} concurrency 4`, (s) => s.wallMs) / medianOf(smallest, (s) => s.wallMs)).toFixed(2)} ×`;
}
details[`marginal wall per promotion, N=${sizes[0]}→${largest}`] = `${marginalMs.toFixed(0)} ms`;
details[`controller CPU per promotion, N=${largest} over N=${sizes[0]}`] = `${cpuRatio.toFixed(2)} ×`;
details[`peak RSS at N=${largest}`] = `${peak.toFixed(0)} MB`;
printFigure({
  id: 'P3',
  title: `wall per promotion, N=${largest} over N=${sizes[0]} (one serve process)`,
  value: wallRatio,
  unit: '×',
  goal: '≤ 1.2 and peak RSS < 300 MB',
  met: wallRatio <= 1.2 && peak < 300,
  details,
});
