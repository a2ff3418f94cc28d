import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { loadConfig, toPromotionPlan } from '../../../src/config/load.js';
import {
  albPlatform,
  albSlotsPlatform,
  loadError,
  minimalController,
  route53Platform,
  writeConfig,
} from './temp-config.js';

// Paths in these tests are relative to the project root, where vitest runs.
const example = 'config/controller.yaml';
const fixture = (name: string) => `test/fixtures/config/${name}/controller.yaml`;

describe('the example config', () => {
  it('loads the controller with defaults and absolute paths', async () => {
    const config = await loadConfig({ file: example });
    expect(config.file).toBe(path.resolve(example));
    expect(config.controller).toEqual({
      server: { host: '127.0.0.1', port: 8080, mutationsPerMinute: 60 },
      store: { kind: 'sqlite', path: path.resolve('config/data/switchyard.db') },
      reconciler: { maxConcurrentPlatforms: 16, pollInterval: 10_000 },
      aws: { region: 'us-east-1' },
      platformsDir: path.resolve('config/platforms'),
      fleetsDir: path.resolve('config/fleets'),
      auth: { publicReads: false },
    });
    expect([...config.platforms.keys()]).toEqual(['payments', 'shop']);
  });

  it('turns shop into its promotion plan', async () => {
    const { controller, platforms } = await loadConfig({ file: example });
    const shop = platforms.get('shop') ?? expect.fail('no shop');
    expect(shop).toMatchObject({ shape: 'slots', initialLive: 'a', maxVersionJump: 1 });
    expect(shop.slots.a.kubeconfig).toEqual({
      path: path.resolve('config/kubeconfigs/shop.yaml'),
      context: 'shop-a',
    });
    expect(shop.slots.b.mode === 'create' && shop.slots.b.template.addons.map((a) => a.name)).toEqual([
      'vpc-cni',
      'coredns',
      'kube-proxy',
      'aws-ebs-csi-driver',
    ]);
    // The YAML anchor gives both slots the one template.
    expect(shop.slots.a.mode === 'create' && shop.slots.a.template).toEqual(
      shop.slots.b.mode === 'create' && shop.slots.b.template,
    );
    const roles = { blue: { slot: 'a', name: 'shop-a' }, green: { slot: 'b', name: 'shop-b' } } as const;
    expect(toPromotionPlan(shop, controller, roles)).toEqual({
      ttlSeconds: 60,
      steps: [
        { green: 1, bakeMs: 300_000, approval: false },
        { green: 10, bakeMs: 600_000, approval: false },
        { green: 50, bakeMs: 900_000, approval: true },
        { green: 100, bakeMs: 1_800_000, approval: false },
      ],
      rollback: {
        mode: 'instant',
        green: 'keep',
        drainDelayMs: 60_000,
        automatic: true,
        steps: [50, 10],
        stepBakeMs: 60_000,
      },
      retry: { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 120_000 },
      stageTimeoutsMs: { provision: 2_700_000, 'qualify-services': 1_200_000 },
      pollIntervalMs: 10_000,
      probe: {
        url: 'http://shop.example.com/healthz',
        ratePerSecond: 20,
        servedByHeader: 'x-served-by',
        errorBudget: 0,
        timeoutMs: 2_000,
        keepAliveShare: 0.5,
        resolvers: 8,
      },
    });
  });

  it('turns payments into its promotion plan', async () => {
    const { controller, platforms } = await loadConfig({ file: example });
    const payments = platforms.get('payments') ?? expect.fail('no payments');
    expect(payments.slots.b).toEqual({ mode: 'adopt', clusterName: 'payments-{slot}-{version}' });
    expect(payments).toMatchObject({
      initialLive: 'a',
      initialLiveCluster: 'payments-2024',
      maxVersionJump: 2,
    });
    const roles = {
      blue: { slot: 'a', name: 'payments-2024' },
      green: { slot: 'b', name: 'payments-b-1-35' },
    } as const;
    expect(toPromotionPlan(payments, controller, roles)).toEqual({
      ttlSeconds: 10,
      steps: [
        { green: 5, bakeMs: 600_000, approval: false },
        { green: 25, bakeMs: 1_200_000, approval: true },
        { green: 50, bakeMs: 1_200_000, approval: false },
        { green: 100, bakeMs: 3_600_000, approval: true },
      ],
      rollback: {
        mode: 'stepped',
        green: 'teardown',
        drainDelayMs: 900_000,
        automatic: false,
        steps: [50, 10],
        stepBakeMs: 120_000,
      },
      retry: { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 300_000 },
      stageTimeoutsMs: {},
      pollIntervalMs: 5_000,
    });
  });
});

describe('environment overrides', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('fill aws.region and aws.endpoint when the file leaves them out', async () => {
    const file = await writeConfig({ controller: { store: { path: 'db.sqlite' } } });
    const env = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' };
    const { controller } = await loadConfig({ file, env });
    expect(controller.aws).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' });
  });

  it('leave aws.region alone when the file sets it', async () => {
    const { controller } = await loadConfig({ file: example, env: { AWS_REGION: 'eu-west-1' } });
    expect(controller.aws.region).toBe('us-east-1');
  });

  it('replace store.path, resolving a relative one against the working directory', async () => {
    const absolute = await loadConfig({
      file: example,
      env: { SWITCHYARD_STORE_PATH: '/var/lib/switchyard.db' },
    });
    expect(absolute.controller.store).toEqual({ kind: 'sqlite', path: '/var/lib/switchyard.db' });
    const relative = await loadConfig({ file: example, env: { SWITCHYARD_STORE_PATH: 'here.db' } });
    expect(relative.controller.store).toEqual({ kind: 'sqlite', path: path.resolve('here.db') });
  });

  it('supply store.path when the file has no store section', async () => {
    const file = await writeConfig({ controller: { aws: { region: 'us-east-1' } } });
    const { controller } = await loadConfig({ file, env: { SWITCHYARD_STORE_PATH: '/tmp/s.db' } });
    expect(controller.store).toEqual({ kind: 'sqlite', path: '/tmp/s.db' });
  });

  it('treat empty variables as unset', async () => {
    const file = await writeConfig({ controller: { store: { path: 'db.sqlite' } } });
    const error = await loadError(file, { AWS_REGION: '' });
    expect(error.issues).toEqual([
      { file, path: 'aws', problem: 'required (or set the AWS_REGION environment variable)' },
    ]);
  });

  it('are validated and named as environment variables', async () => {
    const error = await loadError(example, { AWS_ENDPOINT_URL: 'not a url' });
    expect(error.issues).toEqual([
      { file: 'environment', path: 'AWS_ENDPOINT_URL', problem: 'must be an http(s) URL' },
    ]);
  });

  it('come only from the env option, never from process.env', async () => {
    vi.stubEnv('SWITCHYARD_STORE_PATH', '/from/process/env.db');
    vi.stubEnv('AWS_REGION', 'ap-south-1');
    const file = await writeConfig({ controller: { store: { path: 'db.sqlite' } } });
    const error = await loadError(file);
    expect(error.path).toBe('aws');
    const { controller } = await loadConfig({ file: example });
    expect(controller.store).toEqual({ kind: 'sqlite', path: path.resolve('config/data/switchyard.db') });
  });
});

describe('controller config problems', () => {
  it('names a missing controller file', async () => {
    const error = await loadError('config/no-such-controller.yaml');
    expect(error.message).toBe('config/no-such-controller.yaml: file not found');
  });

  it('names a missing platforms folder at platformsDir', async () => {
    const error = await loadError(fixture('missing-platforms-dir'));
    expect(error.issues).toEqual([
      {
        file: fixture('missing-platforms-dir'),
        path: 'platformsDir',
        problem: 'directory test/fixtures/config/missing-platforms-dir/no-such-folder does not exist',
      },
    ]);
  });

  it('reports every problem of the controller file', async () => {
    const file = await writeConfig({
      controller: {
        store: {},
        server: { port: 70_000, hots: 'x' },
        aws: { region: 'us-east-1' },
        reconciler: [],
      },
    });
    const error = await loadError(file);
    expect(error.issues.map((i) => `${i.path}: ${i.problem}`)).toEqual([
      'server.port: must be at most 65535',
      'server.hots: unknown key (expected one of: host, port, mutationsPerMinute)',
      'store.path: required (or set the SWITCHYARD_STORE_PATH environment variable)',
      'reconciler: expected a mapping, got a list',
    ]);
  });
});

describe('platform files', () => {
  it('reads *.yaml and *.yml in name order and skips dot-files and other extensions', async () => {
    const file = await writeConfig({
      platforms: {
        'b.yml': route53Platform,
        'a.yaml': albPlatform,
        '.hidden.yaml': 'not: [valid',
        'notes.txt': 'anything',
      },
    });
    const { platforms } = await loadConfig({ file });
    expect([...platforms.keys()]).toEqual(['payments', 'shop']);
  });

  it.each([
    [
      'slots',
      {
        ...albSlotsPlatform,
        slots: {
          a: { ...albSlotsPlatform.slots.a, kubeconfig: { path: 'kube/a.yaml', context: 'a' } },
          b: { ...albSlotsPlatform.slots.b, kubeconfig: { path: '/etc/kube/b.yaml', context: 'b' } },
        },
      },
    ],
    [
      'blue/green',
      {
        ...albPlatform,
        blue: { clusterName: 'payments-blue', kubeconfig: { path: 'kube/a.yaml', context: 'blue' } },
        green: { ...albPlatform.green, kubeconfig: { path: '/etc/kube/b.yaml', context: 'green' } },
      },
    ],
  ])('resolves kubeconfig paths against the controller config folder (%s shape)', async (_, platform) => {
    const file = await writeConfig({ platforms: { 'p.yaml': platform } });
    const loaded = await loadConfig({ file });
    const payments = loaded.platforms.get('payments');
    expect(payments?.slots.a.kubeconfig?.path).toBe(path.join(path.dirname(file), 'kube/a.yaml'));
    expect(payments?.slots.b.kubeconfig?.path).toBe('/etc/kube/b.yaml');
  });

  it('allows a controller with no platforms', async () => {
    const { platforms } = await loadConfig({ file: await writeConfig({}) });
    expect(platforms.size).toBe(0);
  });

  it('rejects duplicate platform names, naming both files', async () => {
    const error = await loadError(fixture('duplicate-names'));
    expect(error.message).toBe(
      'test/fixtures/config/duplicate-names/platforms/b-shop.yaml: name: platform "shop" is already defined in ' +
        'test/fixtures/config/duplicate-names/platforms/a-shop.yaml',
    );
  });

  it('names the file and line of a YAML syntax error', async () => {
    // Written at test time: a broken YAML fixture in the repository would fail `biome check .`.
    const broken =
      'name: broken\nblue:\n  clusterName: broken-blue\ntraffic:\n  steps: [1, 10, 100\n  router: alb\n';
    const file = await writeConfig({ platforms: { 'broken.yaml': broken } });
    const error = await loadError(file);
    const shown = path.join(path.dirname(file), 'platforms', 'broken.yaml');
    expect(error.file).toBe(shown);
    expect(error.issues[0]).toMatchObject({ file: shown, line: 6 });
    expect(error.message.startsWith(`${shown}:6:`)).toBe(true);
    expect(error.message).toMatch(/YAML syntax: .*flow sequence/i);
  });

  it('rejects duplicate keys in YAML instead of letting the last one win', async () => {
    const file = await writeConfig({
      controller: 'store:\n  path: a.db\naws:\n  region: us-east-1\nstore:\n  path: b.db\n',
    });
    const error = await loadError(file);
    expect(error.issues[0]).toMatchObject({ file, line: 5, problem: 'YAML syntax: Map keys must be unique' });
  });

  it('reports an empty platform file', async () => {
    const file = await writeConfig({ platforms: { 'empty.yaml': '# nothing yet\n' } });
    const error = await loadError(file);
    expect(error.issues).toEqual([
      {
        file: path.join(path.dirname(file), 'platforms/empty.yaml'),
        path: '',
        problem: 'the file is empty; expected a mapping',
      },
    ]);
  });

  it('reports the problems of every broken file in one error', async () => {
    const file = await writeConfig({
      platforms: { 'a.yaml': { ...albPlatform, name: 'A' }, 'b.yaml': { ...route53Platform, extra: 1 } },
    });
    const error = await loadError(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => `${path.basename(i.file)} ${i.path}`)).toEqual([
      'a.yaml name',
      'b.yaml extra',
    ]);
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it('takes the poll interval from the platform, else from the controller', async () => {
    const controller = { ...minimalController, reconciler: { pollInterval: '3s' } };
    const file = await writeConfig({ controller, platforms: { 'a.yaml': albPlatform } });
    const loaded = await loadConfig({ file });
    const payments = loaded.platforms.get('payments') ?? expect.fail('no payments');
    const roles = {
      blue: { slot: 'a', name: 'payments-blue' },
      green: { slot: 'b', name: 'payments-green' },
    } as const;
    expect(toPromotionPlan(payments, loaded.controller, roles).pollIntervalMs).toBe(3_000);
    expect(
      toPromotionPlan({ ...payments, pollInterval: 1_000 }, loaded.controller, roles).pollIntervalMs,
    ).toBe(1_000);
  });
});

describe('a folder named like a platform file', () => {
  it('is reported, not skipped', async () => {
    const file = await writeConfig({});
    await mkdir(path.join(path.dirname(file), 'platforms', 'odd.yaml'));
    await writeFile(path.join(path.dirname(file), 'platforms', 'notes.txt'), '');
    const error = await loadError(file);
    expect(error.problem).toBe('is a directory, expected a YAML file');
  });
});
