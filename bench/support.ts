/**
 * What every benchmark shares: how many times to repeat, medians and percentiles, the sandbox
 * (moto + kube-apiservers, as the tests start it), and one way to print a figure. A benchmark measures
 * ours and a baseline side by side in the same run, repeats each at least `runs()` times, and prints the
 * ratio of medians; it never asserts a time (timing goals live here, not in tests).
 *
 * Each bench/*.bench.ts is its own process (bench/run.ts starts them one after another), so one figure's
 * servers and heap never colour another's.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEnvironment, type TestEnvironment } from '../test/env/environment.js';
import { projectRoot } from '../test/env/tools.js';

/** Repetitions per measurement: BENCH_RUNS, at least 5. */
export function runs(): number {
  return Math.max(5, Number(process.env.BENCH_RUNS ?? 5) || 5);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0–100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Runs `measure` `times` times in a row and returns what each run returned (e.g. milliseconds). */
export async function repeat(times: number, measure: (run: number) => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let run = 0; run < times; run++) results.push(await measure(run));
  return results;
}

/** Milliseconds `work` took, measured with the monotonic clock. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** The sandbox for one benchmark process, and a fresh folder for its worlds; stopped by `close`. */
export async function startSandbox(name: string): Promise<{
  readonly environment: TestEnvironment;
  readonly dir: string;
  close(): Promise<void>;
}> {
  const environment = await startTestEnvironment();
  const dir = mkdtempSync(join(projectRoot, `.cache/env-runs/bench-${name}-`));
  return { environment, dir, close: () => environment.stop() };
}

export interface Figure {
  /** Short id from the issue: P1, P2, P3, P4, SSE. */
  readonly id: string;
  readonly title: string;
  /** The headline ratio or value, and the goal it is compared with, as text (e.g. "≤ 1.5"). */
  readonly value: number;
  readonly unit: string;
  readonly goal: string;
  readonly met: boolean;
  /** The measurements behind it: label → value with unit, printed one per line. */
  readonly details: Readonly<Record<string, string>>;
}

/** Prints a figure for people, then one machine-readable line bench/run.ts collects into its summary. */
export function printFigure(figure: Figure): void {
  console.log(`\n${figure.id} — ${figure.title}`);
  for (const [label, value] of Object.entries(figure.details)) console.log(`  ${label}: ${value}`);
  console.log(
    `  => ${figure.value.toFixed(2)} ${figure.unit} (goal ${figure.goal}: ${figure.met ? 'met' : 'NOT met'})`,
  );
  console.log(`FIGURE ${JSON.stringify(figure)}`);
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`;

// biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field
export type Json = Record<string, any>;

/** A controller's REST API as the benches call it: JSON in and out, any non-2xx thrown with its body. */
export type ControllerApi = (method: string, path: string, body?: unknown, token?: string) => Promise<Json>;

export function controllerApi(controller: { readonly url: string; readonly token: string }): ControllerApi {
  return async (method, path, body, token) => {
    const response = await fetch(`${controller.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? controller.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  };
}

/** Reads the promotion every 100 ms until `done` holds; throws after `timeoutMs`, naming where it stood. */
export async function waitForPromotion(
  api: ControllerApi,
  id: string,
  done: (promotion: Json) => boolean,
  timeoutMs = 240_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const promotion = await api('GET', `/v1/promotions/${id}`);
    if (done(promotion)) return promotion;
    if (Date.now() > deadline) {
      throw new Error(
        `promotion ${id} stuck after ${timeoutMs} ms: ${promotion.phase} ${promotion.currentStage}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
