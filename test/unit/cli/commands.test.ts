import { afterEach, describe, expect, it } from 'vitest';
import { testPlan } from '../../fakes/promotions.js';
import { cli, closedPort, listeningApi } from './helpers.js';

let api: Awaited<ReturnType<typeof listeningApi>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function started(options: Parameters<typeof listeningApi>[0] = {}) {
  api = await listeningApi(options);
  const result = await cli(['promote', 'shop', '--to', '1.35', '--output', 'json'], api.env());
  expect(result.code).toBe(0);
  return api;
}

describe('switchyard commands against the API', () => {
  it('promote starts a promotion and prints the created promotion as one JSON document', async () => {
    api = await listeningApi();
    const result = await cli(
      ['--output', 'json', 'promote', 'shop', '--to', 'v1.35', '--rollback-mode', 'stepped', '--keep-green'],
      api.env(),
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.json()).toMatchObject({
      id: 'p-1',
      platform: 'shop',
      toVersion: '1.35',
      phase: 'running',
      createdBy: 'operator-user',
      plan: { rollback: { mode: 'stepped', green: 'keep' } },
    });
    const human = await cli(['promote', 'shop', '--to', '1.35'], api.env());
    expect(human.code).toBe(3);
    expect(human.stderr).toBe(
      'switchyard: promote refused: platform "shop" already has an active promotion: p-1\n',
    );
  });

  it('status shows a promotion by id or by platform, and lists the active ones', async () => {
    const { env, drive } = await started();
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    const byId = await cli(['status', 'p-1', '-o', 'json'], env('viewer'));
    expect(byId.json()).toMatchObject({ id: 'p-1', traffic: { green: 10 }, events: expect.any(Array) });
    expect((await cli(['status', 'shop', '-o', 'json'], env('viewer'))).json()).toEqual(byId.json());

    const human = await cli(['status', 'shop'], env('viewer'));
    expect(human.stdout).toContain('p-1  shop 1.34 → 1.35  running');
    expect(human.stdout).toMatch(/▶ shift-traffic\s+running/);
    expect(human.stdout).toContain('green █░░░░░░░░░ 10%');

    const list = await cli(['status', '--output=json'], env('viewer'));
    expect(list.json()).toEqual({ items: [expect.objectContaining({ id: 'p-1' })] });
    expect((await cli(['status'], env('viewer'))).stdout).toMatch(/^ID\s+PLATFORM.*\np-1\s+shop/);

    const unknown = await cli(['status', 'nope'], env('viewer'));
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'switchyard: status: no promotion or platform named "nope"; known platforms: shop\n',
    });
  });

  it("traffic sets the weight of the platform's active promotion", async () => {
    const { env, drive } = await started();
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    const result = await cli(['traffic', 'shop', '--green', '30', '-o', 'json'], env());
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      id: 'p-1',
      phase: 'paused',
      traffic: { manualChange: { green: 30 } },
    });
    await drive('p-1');
    expect(api?.cloud.greenPercent()).toBe(30);
  });

  it('traffic is refused when the platform has no active promotion, and fails for an unknown one', async () => {
    api = await listeningApi();
    const none = await cli(['traffic', 'shop', '--green', '5'], api.env());
    expect(none).toMatchObject({
      code: 3,
      stderr: 'switchyard: traffic: platform shop has no active promotion\n',
    });
    const unknown = await cli(['traffic', 'nope', '--green', '5'], api.env());
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'switchyard: traffic: platform "nope" not found; known platforms: shop\n',
    });
  });

  it('rollback starts a rollback; once the promotion has finished, another is refused (3)', async () => {
    const { env, drive } = await started();
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    const first = await cli(['rollback', 'shop', '--keep-green', '--instant', '-o', 'json'], env());
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({
      phase: 'rolling-back',
      rollback: { mode: 'instant', green: 'keep', reason: 'requested from the CLI by casey' },
    });
    expect((await drive('p-1')).phase).toBe('rolled-back');
    const again = await cli(['rollback', 'shop', '--reason', 'again'], env());
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^switchyard: rollback refused: cannot roll back promotion p-1: .+\n$/);
  });

  it('pause, resume and approve take an id or a platform; a wrong gate is refused (3)', async () => {
    const { env, drive } = await started({ plan: testPlan({ approvalAt: [50] }) });
    await drive('p-1');
    const status = await cli(['status', 'p-1'], env());
    expect(status.stdout).toContain('approve: switchyard approve p-1 --gate shift-traffic/3-to-50');
    const wrong = await cli(['approve', 'shop', '--gate', 'nope'], env());
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(
      /^switchyard: approve refused: .*name one of the open gates: shift-traffic\/3-to-50\n$/,
    );
    expect(
      (await cli(['approve', 'shop', '--gate', 'shift-traffic/3-to-50', '-o', 'json'], env())).code,
    ).toBe(0);
    const paused = await cli(['pause', 'shop', '--reason', 'freeze', '-o', 'json'], env());
    expect(paused.json()).toMatchObject({ phase: 'paused', pauseReason: 'freeze' });
    expect((await cli(['pause', 'p-1'], env())).code).toBe(3);
    expect((await cli(['resume', 'p-1', '-o', 'json'], env())).json()).toMatchObject({ phase: 'running' });
  });

  it('platforms and plan print the API responses', async () => {
    api = await listeningApi();
    const platforms = await cli(['platforms', '-o', 'json'], api.env('viewer'));
    expect(platforms.json()).toEqual({
      items: [expect.objectContaining({ name: 'shop', router: 'route53' })],
    });
    const plan = await cli(['plan', 'shop', '--to', '1.35'], api.env('viewer'));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^shop: 1\.34 → 1\.35/);
    expect(plan.stdout).toContain('vpc-cni');
  });
});

describe('exit codes for failures', () => {
  it('usage errors exit 2 with one line naming the problem, before any request', async () => {
    const env = { SWITCHYARD_URL: `http://127.0.0.1:${await closedPort()}` };
    const cases: [string[], RegExp][] = [
      [['promote', 'shop'], /required option '--to <version>' not specified/],
      [['traffic', 'shop', '--green', 'abc'], /'--green <percent>' argument 'abc' is invalid/],
      [['traffic', 'shop', '--green', '101'], /must be a whole number from 0 to 100/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['status', '--bogus'], /unknown option '--bogus'/],
      [['rollback', 'shop', '--stepped', '--instant'], /cannot be used with/],
      [['status', '--watch'], /--watch needs a promotion id or a platform name/],
      [['status', '--server', 'ftp://x'], /must be an http or https URL/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv, env);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(new RegExp(`^switchyard: .*${message.source}`));
      expect(result.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
    expect((await cli([], env)).code).toBe(2);
    expect((await cli(['--help'], env)).stdout).toContain('Exit codes:');
  });

  it('a 400 from the API is a usage error (2)', async () => {
    api = await listeningApi();
    const result = await cli(['promote', 'shop', '--to', 'latest'], api.env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^switchyard: promote rejected: body.targetVersion: must be a Kubernetes minor version/,
    );
  });

  it('an unreachable server is a failure (1) that says where the URL came from and how to set it', async () => {
    const port = await closedPort();
    const result = await cli(['status'], { SWITCHYARD_URL: `http://127.0.0.1:${port}` });
    expect(result).toMatchObject({
      code: 1,
      stderr: [
        `switchyard: status failed: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`,
        `  http://127.0.0.1:${port} comes from SWITCHYARD_URL; is the controller running there (switchyard serve)?`,
        '  Set the server with --server <url>, the SWITCHYARD_URL environment variable, or "server: <url>" in ~/.config/switchyard/cli.yaml.',
        '',
      ].join('\n'),
    });
  });

  it('a bad or missing token, or a role too small, is refused (3)', async () => {
    api = await listeningApi();
    const bad = await cli(['status'], { ...api.env(), SWITCHYARD_TOKEN: 'wrong' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^switchyard: status refused: unknown token \(give a token with --token/);
    expect((await cli(['status'], { SWITCHYARD_URL: api.url })).stderr).toMatch(/a bearer token is required/);
    const viewer = await cli(['promote', 'shop', '--to', '1.35'], api.env('viewer'));
    expect(viewer).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/promote refused: viewer-user \(viewer\) may not/),
    });
  });
});
