/**
 * The built CLI as a real child process (`node dist/src/cli/main.js`), against the API over fakes
 * listening on a port in this process: exit codes, stdout/stderr and JSON as a script would see them.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, listeningApi } from './helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');
const mainJs = join(root, 'dist', 'src', 'cli', 'main.js');

interface Child {
  live: { stdout: string; stderr: string };
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function switchyard(args: string[], env: Record<string, string>): Child {
  // A clean env: nothing from the developer's shell (SWITCHYARD_*, HOME with a real cli.yaml) leaks in.
  const child = spawn(process.execPath, [mainJs, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  const live = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (live.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (live.stderr += s));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...live }));
  });
  return { live, done };
}

let api: Awaited<ReturnType<typeof listeningApi>>;

beforeAll(async () => {
  const started = Date.now();
  // Emits even when files outside the CLI have type errors (others may be mid-change); the type
  // check proper is `tsc -p tsconfig.json --noEmit`. What matters here is a fresh main.js.
  await promisify(execFile)(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
  }).catch((error: { stdout?: string }) => console.warn(`tsc reported errors:\n${error.stdout ?? ''}`));
  expect(existsSync(mainJs) && statSync(mainJs).mtimeMs >= started - 1000).toBe(true);
}, 120_000);
beforeEach(async () => {
  api = await listeningApi();
});
afterEach(async () => api.close());

describe('switchyard as a child process', () => {
  it('promotes, shows status, sets traffic and rolls back, with exit codes and JSON a script can use', async () => {
    const env = api.env();
    const promote = await switchyard(['promote', 'shop', '--to', '1.35', '--output', 'json'], env).done;
    expect(promote).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(promote.stdout)).toMatchObject({ id: 'p-1', platform: 'shop', phase: 'running' });

    await api.drive('p-1', { until: (p) => p.traffic.green === 10 });
    const status = await switchyard(['status', 'shop'], env).done;
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('green █░░░░░░░░░ 10%');

    const traffic = await switchyard(['traffic', 'shop', '--green', '20', '-o', 'json'], env).done;
    expect(traffic.code).toBe(0);
    expect(JSON.parse(traffic.stdout)).toMatchObject({
      phase: 'paused',
      traffic: { manualChange: { green: 20 } },
    });

    const usage = await switchyard(['traffic', 'shop', '--green', 'lots'], env).done;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^switchyard: .*'lots' is invalid/);

    const rollback = await switchyard(['rollback', 'shop', '--keep-green', '-o', 'json'], env).done;
    expect(rollback.code).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ phase: 'rolling-back', rollback: { green: 'keep' } });
    await api.drive('p-1');
    const again = await switchyard(['rollback', 'shop'], env).done;
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^switchyard: rollback refused: cannot roll back promotion p-1/);
  }, 30_000);

  it('runs as `switchyard` from the PATH, linked the way npm link installs a bin', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ switchyard: 'dist/src/cli/main.js' });
    expect(readFileSync(mainJs, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // npm's bin-links: a symlink named after the "bin" key in {prefix}/bin, its target made executable.
    const bin = mkdtempSync(join(tmpdir(), 'switchyard-bin-'));
    symlinkSync(mainJs, join(bin, 'switchyard'));
    chmodSync(mainJs, statSync(mainJs).mode | 0o111);
    const result = await promisify(execFile)('switchyard', ['platforms', '-o', 'json'], {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, ...api.env('viewer') },
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ items: [{ name: 'shop' }] });
  });

  it('--watch follows a promotion to its end over the event stream; rolled back exits 1', async () => {
    const env = api.env();
    const promote = await switchyard(['promote', 'shop', '--to', '1.35', '-o', 'json'], env).done;
    const { id } = JSON.parse(promote.stdout) as { id: string };
    await api.drive(id, { until: (p) => p.traffic.green === 10 });

    const watch = switchyard(['status', id, '--watch'], env);
    await eventually(() => watch.live.stdout.includes('traffic.verified'), 10_000);
    await api.controller.rollback(id, { by: 'test', reason: 'latency up', green: 'keep' });
    await api.drive(id);
    const result = await watch.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/rollback\.finished/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      `${id} rolled back: shop is on shop-blue (latency up)`,
    );
  }, 30_000);
});
