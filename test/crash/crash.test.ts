/**
 * Kills a real controller process with SIGKILL at every kill point of a promotion (after every
 * provider call takes effect, after every store write commits), restarts it on the same SQLite file
 * and fake cloud, and checks the promotion still finishes with nothing duplicated and nothing lost.
 * Every point is tried, not a sample: the first, uninterrupted run counts them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { CloudState } from '../fakes/fake-cloud.js';

const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

type Scenario = 'promote' | 'rollback';
interface ChildRun {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly result?: { calls: number; writes: number; phase: string; rollback?: { drainDeadline?: string } };
  readonly stderr: string;
}

function runChild(dir: string, scenario: Scenario, kill: string): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', childScript, join(dir, 'db'), join(dir, 'cloud.json'), scenario, kill],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        const failure = error as (Error & { signal?: NodeJS.Signals; code?: number }) | null;
        resolve({
          signal: failure?.signal ?? null,
          code: failure ? (failure.code ?? null) : 0,
          stderr,
          ...(line ? { result: JSON.parse(line.slice('RESULT '.length)) } : {}),
        });
      },
    );
  });
}

/** Runs the kill points two at a time (the machine has two cores). */
async function inPool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    [1, 2].map(async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

async function crashAndRecover(
  scenario: Scenario,
  kill: string,
): Promise<{ cloud: CloudState; final: ChildRun; dir: string }> {
  const dir = mkdtempSync(join(workDir, `${scenario}-${kill.replace(':', '-')}-`));
  const killed = await runChild(dir, scenario, kill);
  expect(killed.signal, `${kill}: the controller should have been killed (stderr: ${killed.stderr})`).toBe(
    'SIGKILL',
  );
  const final = await runChild(dir, scenario, 'none');
  expect(final.code, `${kill}: restart failed: ${final.stderr}`).toBe(0);
  const cloud = JSON.parse(readFileSync(join(dir, 'cloud.json'), 'utf8')) as CloudState;
  return { cloud, final, dir };
}

async function storedEvents(dir: string): Promise<string[]> {
  const store = openSqliteStore(join(dir, 'db'));
  try {
    return (await store.events('p-1')).map((e) => e.type);
  } finally {
    await store.close();
  }
}

function killPoints(census: ChildRun): string[] {
  const counts = census.result;
  if (!counts) throw new Error(`census run failed: ${census.stderr}`);
  return [
    ...Array.from({ length: counts.calls }, (_, i) => `call:${i + 1}`),
    ...Array.from({ length: counts.writes }, (_, i) => `write:${i + 1}`),
  ];
}

describe('SIGKILL at every kill point, then restart', () => {
  it('a full promotion completes with one green cluster, one write per weight step, blue deleted once', async () => {
    const censusDir = mkdtempSync(join(workDir, 'census-promote-'));
    const points = killPoints(await runChild(censusDir, 'promote', 'none'));
    expect(points.length).toBeGreaterThan(30);
    const failures: string[] = [];
    await inPool(points, async (kill) => {
      const { cloud, final, dir } = await crashAndRecover('promote', kill);
      const events = await storedEvents(dir);
      const problems = [
        final.result?.phase !== 'succeeded' && `phase ${final.result?.phase}`,
        JSON.stringify(cloud.created) !== '{"shop-green":1}' && `created ${JSON.stringify(cloud.created)}`,
        cloud.tokenMismatches !== 0 && `${cloud.tokenMismatches} create calls with a new token`,
        JSON.stringify(cloud.deleted) !== '["shop-blue"]' && `deleted ${JSON.stringify(cloud.deleted)}`,
        cloud.weightWrites !== 3 && `${cloud.weightWrites} weight writes for 3 steps`,
        cloud.weights?.green !== 100 && `final weights ${JSON.stringify(cloud.weights)}`,
        events.filter((e) => e === 'promotion.created').length !== 1 && 'promotion created more than once',
      ].filter(Boolean);
      if (problems.length > 0) failures.push(`${kill}: ${problems.join('; ')}`);
    });
    expect(failures).toEqual([]);
  });

  it('a rollback completes with blue holding all traffic and green deleted only after its drain deadline', async () => {
    const censusDir = mkdtempSync(join(workDir, 'census-rollback-'));
    const points = killPoints(await runChild(censusDir, 'rollback', 'none'));
    expect(points.length).toBeGreaterThan(30);
    const failures: string[] = [];
    await inPool(points, async (kill) => {
      const { cloud, final } = await crashAndRecover('rollback', kill);
      const deadline = Date.parse(final.result?.rollback?.drainDeadline ?? '');
      const problems = [
        final.result?.phase !== 'rolled-back' && `phase ${final.result?.phase}`,
        JSON.stringify(cloud.created) !== '{"shop-green":1}' && `created ${JSON.stringify(cloud.created)}`,
        cloud.tokenMismatches !== 0 && `${cloud.tokenMismatches} create calls with a new token`,
        JSON.stringify(cloud.deleted) !== '["shop-green"]' && `deleted ${JSON.stringify(cloud.deleted)}`,
        cloud.weights !== undefined &&
          cloud.weights.green !== 0 &&
          `final weights ${JSON.stringify(cloud.weights)}`,
        !((cloud.teardownAt['shop-green'] ?? 0) >= deadline) && `green torn down before its drain deadline`,
      ].filter(Boolean);
      if (problems.length > 0) failures.push(`${kill}: ${problems.join('; ')}`);
    });
    expect(failures).toEqual([]);
  });
});
