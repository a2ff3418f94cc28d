import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { cliEntry, startController } from '../env/controller-process.js';
import { type FaultPlan, type FaultProxy, startFaultProxy } from '../env/fault-proxy.js';
import { seededRandom } from '../env/seeded-random.js';
import type { ServerProcess } from '../env/server-process.js';
import { projectRoot } from '../env/tools.js';
import { createWorld, type World, type WorldOptions } from '../env/world.js';
import { testEnvironment } from '../integration/environment.js';

// biome-ignore lint/suspicious/noExplicitAny: API bodies are inspected field by field in assertions
export type Json = Record<string, any>;

export interface E2E {
  world: World;
  /** The fault proxy in front of moto, when the file asked for faults. */
  proxy?: FaultProxy;
  controller: ServerProcess;
  /** Starts a new controller process (after a kill) on the same config and store. */
  restart(): Promise<void>;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Json }>;
  /** Runs the built CLI as a child process (as the operator unless a token is given); resolves with its exit code and output. */
  cli(args: readonly string[], token?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Polls a promotion until `until` holds (or throws after `timeoutMs`, naming the last state). */
  waitFor(id: string, until: (p: Json) => boolean, timeoutMs?: number): Promise<Json>;
}

/** One world and one controller process per test file. */
export function useE2E(options: WorldOptions & { faults?: Partial<FaultPlan> } = {}): E2E {
  const e2e = {} as E2E;
  beforeAll(async () => {
    const env = testEnvironment();
    const dir = mkdtempSync(join(projectRoot, '.cache/env-runs/e2e-'));
    // Seeded: throttling, a 5xx and a delay all come within the first ten calls, in every run.
    if (options.faults) e2e.proxy = await startFaultProxy(env.awsEndpoint, options.faults, seededRandom(1));
    // The world is seeded straight into moto; only the controller goes through the proxy.
    e2e.world = await createWorld(env, dir, {
      ...options,
      ...(e2e.proxy ? { awsEndpoint: e2e.proxy.url } : {}),
    });
    e2e.controller = await startController(e2e.world);
  }, 120_000);
  afterAll(async () => {
    await e2e.controller?.stop();
    await e2e.world?.close();
    if (e2e.proxy) console.log('fault proxy counts', JSON.stringify(e2e.proxy.counts));
    await e2e.proxy?.close();
  });

  e2e.restart = async () => {
    e2e.controller = await startController(e2e.world, `controller-${Date.now()}`);
  };
  e2e.api = (method, path, body, token) =>
    callApi(e2e.world.url, token ?? e2e.world.tokens.operator, method, path, body);
  e2e.cli = (args, token) =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [cliEntry, ...args],
        {
          env: { ...process.env, ...e2e.world.env, SWITCHYARD_TOKEN: token ?? e2e.world.tokens.operator },
          timeout: 120_000,
        },
        (error, stdout, stderr) => {
          const code = error
            ? typeof (error as { code?: unknown }).code === 'number'
              ? (error as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  e2e.waitFor = async (id, until, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: Json = {};
    while (Date.now() < deadline) {
      const { status, body } = await e2e.api('GET', `/v1/promotions/${id}`);
      if (status === 200) {
        if (process.env.E2E_TRACE)
          console.log(
            Date.now(),
            body.phase,
            body.currentStage,
            body.stages?.[body.currentStage]?.state,
            body.traffic?.green,
          );
        last = body;
        if (until(body)) return body;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `promotion ${id} did not reach the expected state in ${timeoutMs} ms; last: phase ${last.phase}, stage ${last.currentStage} (${last.stages?.[last.currentStage]?.message}), rollback ${JSON.stringify(last.rollback)}`,
    );
  };
  return e2e;
}

/** One REST call to a controller at `url` with a bearer token; the body as parsed JSON ({} when empty). */
export async function callApi(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}
