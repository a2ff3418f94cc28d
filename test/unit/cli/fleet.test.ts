import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeFleetSurface,
  fakeFleetSurface,
  withMembers,
  withStage,
} from '../../fakes/fleet-surface.js';
import { cli, listeningApi, startCli } from './helpers.js';

let api: Awaited<ReturnType<typeof listeningApi>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function fleetApi(): Promise<{
  env: (role?: 'viewer' | 'operator') => Record<string, string>;
  fleets: FakeFleetSurface;
}> {
  const fleets = fakeFleetSurface();
  api = await listeningApi({ fleets });
  return { env: api.env, fleets };
}

describe('switchyard fleet', () => {
  it('plan shows stages, members in order and their blockers, and changes nothing', async () => {
    const { env, fleets } = await fleetApi();
    const strategies = await cli(['fleet', 'strategies'], env('viewer'));
    expect(strategies.stdout).toMatch(
      /^NAME\s+STAGES\s+WINDOWS\nstandard\s+dev \(100% at once\) → prod \(50% at once, after approval\)\s+1\n$/,
    );
    const human = await cli(['fleet', 'plan', '--strategy', 'standard', '--target', '1.35'], env('viewer'));
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain('standard → 1.35: what a run would do now (changes nothing)');
    expect(human.stdout).toMatch(/\ndev\s+2\s+0\s+1\s+dev-1\s+-\n\s+2\s+dev-2\s+-\n/);
    expect(human.stdout).toMatch(/\s+2\s+prod-b\s+a promotion is already active: prod-b-p-9\n/);
    expect(human.stdout).toContain('no stage selects: lab');
    const json = await cli(
      ['fleet', 'plan', '--strategy', 'standard', '--target', '1.35', '-o', 'json'],
      env('viewer'),
    );
    expect(json.json()).toMatchObject({ stages: [{ name: 'dev' }, { name: 'prod' }], unselected: ['lab'] });
    expect(fleets.calls).toEqual([]);
  });

  it('start prints the run; status shows it as stage rows with members, or lists the unfinished runs', async () => {
    const { env, fleets } = await fleetApi();
    const started = await cli(['fleet', 'start', '--strategy', 'standard', '--target', 'v1.35'], env());
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toContain(
      'started fleet run fr-1: standard → 1.35, 4 platforms (follow it: switchyard fleet status fr-1 --watch)',
    );

    fleets.set(
      withStage(
        withMembers(await fleets.get('fr-1'), { 'dev-1': 'soaking', 'dev-2': 'failed' }),
        'prod',
        'gated',
      ),
    );
    const status = await cli(['fleet', 'status', 'fr-1'], env('viewer'));
    expect(status.stdout).toMatch(/^STAGE\s+STATE\s+DONE\s+FAILED\/BUDGET\s+AT ONCE\s+MEMBERS$/m);
    expect(status.stdout).toMatch(/^dev\s+running\s+0\/2\s+1\/0\s+2\s+dev-1 soaking, dev-2 failed$/m);
    expect(status.stdout).toMatch(/^prod\s+gated\s+0\/2\s+0\/1\s+1\s+prod-a pending, prod-b pending$/m);
    expect(status.stdout).toContain(
      'gate      prod: needs approval (switchyard fleet approve fr-1 --stage prod)',
    );
    expect((await cli(['fleet', 'status', 'fr-1', '-o', 'json'], env('viewer'))).json()).toMatchObject({
      id: 'fr-1',
      members: [{ platform: 'dev-1', state: 'soaking', promotionId: 'dev-1-fr-1' }, {}, {}, {}],
    });

    const list = await cli(['fleet', 'status'], env('viewer'));
    expect(list.stdout).toMatch(
      /^ID\s+STRATEGY\s+TARGET\s+STATE\s+MEMBERS DONE\s+CREATED\nfr-1\s+standard\s+1\.35\s+running\s+0\/4/,
    );
    await cli(['fleet', 'stop', 'fr-1'], env());
    fleets.set({ ...withMembers(await fleets.get('fr-1'), {}), state: 'stopped' });
    expect((await cli(['fleet', 'status', '-o', 'json'], env('viewer'))).json()).toEqual({ items: [] });
  });

  it('pause, resume, approve, stop and abort act on the run and say so; refusals exit 3, unknown runs 1', async () => {
    const { env, fleets } = await fleetApi();
    await cli(['fleet', 'start', '--strategy', 'standard', '--target', '1.35'], env());
    const paused = await cli(['fleet', 'pause', 'fr-1', '--reason', 'change freeze'], env());
    expect(paused.stdout).toMatch(/^fr-1: paused\n\nfr-1 {2}standard → 1\.35 {2}paused \(change freeze\)/);
    const again = await cli(['fleet', 'pause', 'fr-1'], env());
    expect(again).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/^switchyard: pause refused: .*paused/),
    });
    expect((await cli(['fleet', 'resume', 'fr-1', '-o', 'json'], env())).json()).toMatchObject({
      state: 'running',
    });
    expect(await cli(['fleet', 'approve', 'fr-1', '--stage', 'prod'], env())).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/^switchyard: approve refused: .*stage prod is pending/),
    });
    fleets.set(withStage(await fleets.get('fr-1'), 'prod', 'gated'));
    expect((await cli(['fleet', 'approve', 'fr-1', '--stage', 'prod'], env())).stdout).toMatch(
      /^fr-1: approved/,
    );
    const aborted = await cli(['fleet', 'abort', 'fr-1'], env());
    expect(aborted.stdout).toContain('stopping, ending aborted (requested from the CLI by casey)');

    expect(await cli(['fleet', 'approve', 'fr-1'], env())).toMatchObject({ code: 2 });
    expect(await cli(['fleet', 'resume', 'fr-9'], env())).toMatchObject({
      code: 1,
      stderr: 'switchyard: resume failed: fleet run "fr-9" not found\n',
    });
    expect(await cli(['fleet', 'stop', 'fr-1'], env('viewer'))).toMatchObject({ code: 3 });
    expect(await cli(['fleet', 'start', '--strategy', 'nope', '--target', '1.35'], env())).toMatchObject({
      code: 2,
      stderr: 'switchyard: start rejected: strategy: no fleet strategy "nope"\n',
    });
    expect(fleets.calls).toEqual([
      'start fr-1 by operator-user',
      'pause fr-1 by operator-user: change freeze',
      'resume fr-1 by operator-user',
      'approve fr-1 prod by operator-user',
      'abort fr-1 by operator-user: requested from the CLI by casey',
    ]);
  });

  it('plan and start send a strategy file of your own whole, checked by the controller', async () => {
    const { env } = await fleetApi();
    const folder = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
    const file = join(folder, 'waves.yaml');
    writeFileSync(
      file,
      'name: waves\nstages:\n  - name: dev\n    selector: {env: dev}\n    memberSoak: 2m\n',
    );
    const planned = await cli(
      ['fleet', 'plan', '--strategy-file', file, '--target', '1.35', '-o', 'json'],
      env('viewer'),
    );
    expect(planned.json()).toMatchObject({
      strategy: { name: 'waves', stages: [{ memberSoakMs: 120_000 }] },
    });
    const started = await cli(
      ['fleet', 'start', '--strategy-file', file, '--target', '1.35', '-o', 'json'],
      env(),
    );
    expect(started.json()).toMatchObject({ id: 'fr-1', strategy: { name: 'waves' } });

    writeFileSync(
      file,
      'name: waves\nstages:\n  - name: dev\n    selector: {env: dev}\n    maxConcurrency: lots\n',
    );
    expect(await cli(['fleet', 'start', '--strategy-file', file, '--target', '1.35'], env())).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^switchyard: start rejected: body\.strategy\.stages\[0\]\.maxConcurrency: /,
      ),
    });
    writeFileSync(file, '- just\n- a list\n');
    expect(await cli(['fleet', 'plan', '--strategy-file', file, '--target', '1.35'], env())).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('does not hold a strategy'),
    });
    expect(
      await cli(['fleet', 'plan', '--strategy-file', join(folder, 'none.yaml'), '--target', '1.35'], env()),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read'),
    });
    expect(await cli(['fleet', 'plan', '--target', '1.35'], env())).toMatchObject({
      code: 2,
      stderr:
        'switchyard: plan: name a strategy with --strategy <name> or give one with --strategy-file <file>\n',
    });
    expect(
      (
        await cli(
          ['fleet', 'plan', '--strategy', 'standard', '--strategy-file', file, '--target', '1.35'],
          env(),
        )
      ).code,
    ).toBe(2);
  });

  it('status --watch prints each change until the run finishes, and exits 1 unless it succeeded', async () => {
    const { env, fleets } = await fleetApi();
    await cli(['fleet', 'start', '--strategy', 'standard', '--target', '1.35'], env());
    const run = withMembers(await fleets.get('fr-1'), {});
    const watching = startCli(['fleet', 'status', 'fr-1', '--watch', '--interval', '0.02'], env('viewer'));
    const step = (changes: Parameters<typeof withMembers>[1], extra: object = {}) =>
      fleets.set({
        ...withMembers(run, changes),
        ...extra,
        version: run.version + Object.keys(changes).length,
      });
    await expect.poll(() => watching.live.stdout, { timeout: 5000 }).toContain('run     fr-1 running');
    step({ 'dev-1': 'promoting' });
    await expect.poll(() => watching.live.stdout, { timeout: 5000 }).toContain('member  dev/dev-1 promoting');
    step(
      { 'dev-1': 'succeeded', 'dev-2': 'failed' },
      { state: 'failed', reason: 'dev over its failure budget' },
    );
    const result = await watching.done;
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').map((line) => line.replace(/^\S+Z {2}/, ''))).toEqual([
      'run     fr-1 running',
      'stage   dev running',
      'stage   prod pending',
      'member  dev/dev-1 promoting',
      'run     fr-1 failed (dev over its failure budget)',
      'member  dev/dev-1 succeeded',
      'member  dev/dev-2 failed',
      'fr-1 failed: 1 of 4 members succeeded, 1 failed (dev over its failure budget)',
      '',
    ]);
    expect(await cli(['fleet', 'status', '--watch'], env('viewer'))).toMatchObject({ code: 2 });
  });
});
