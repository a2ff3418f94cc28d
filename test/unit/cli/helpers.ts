import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { run } from '../../../src/cli/run.js';
import type { PromotionPlan } from '../../../src/domain/plan.js';
import type { FleetSurface } from '../../../src/fleet/surface.js';
import { apiHarness, tokens } from '../api/harness.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as one JSON document. */
  json<T = Record<string, unknown>>(): T;
}

/**
 * Starts the CLI in process with captured streams and only the env given (no HOME: no config file).
 * `live` shows the output so far, for a test that acts while a command (e.g. --watch) is running.
 */
export function startCli(
  argv: string[],
  env: Record<string, string | undefined>,
  options: { tty?: boolean; fetch?: typeof fetch } = {},
): { live: { stdout: string; stderr: string }; done: Promise<CliResult> } {
  const live = { stdout: '', stderr: '' };
  const done = run(argv, {
    stdout: { write: (s: string) => (live.stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (live.stderr += s) },
    env,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  }).then((code) => ({ code, ...live, json: () => JSON.parse(live.stdout) }));
  return { live, done };
}

export function cli(
  argv: string[],
  env: Record<string, string | undefined>,
  options: { tty?: boolean; fetch?: typeof fetch } = {},
): Promise<CliResult> {
  return startCli(argv, env, options).done;
}

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The API over fakes, listening on a real port, and the env that points the CLI at it. */
export async function listeningApi(options: { plan?: PromotionPlan; fleets?: FleetSurface } = {}) {
  const harness = await apiHarness(options);
  await harness.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`;
  const env = (role: keyof typeof tokens = 'operator') => ({
    SWITCHYARD_URL: url,
    SWITCHYARD_TOKEN: tokens[role],
    USER: 'casey',
  });
  return { ...harness, url, env, close: () => harness.app.close() };
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
