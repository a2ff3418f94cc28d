import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../../src/config/errors.js';
import { type LoadedConfig, loadConfig } from '../../../src/config/load.js';

const made: string[] = [];

// Every test that writes a config gets its folder removed afterwards.
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export const minimalController = { store: { path: './switchyard.db' }, aws: { region: 'us-east-1' } };

/**
 * Writes controller.yaml and platforms/<name> into a fresh temp folder and returns the controller
 * file's path. Objects are written as YAML; strings are written as they are.
 */
export async function writeConfig(options: {
  controller?: unknown;
  platforms?: Record<string, unknown>;
}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-config-'));
  made.push(dir);
  await mkdir(path.join(dir, 'platforms'));
  const text = (value: unknown) => (typeof value === 'string' ? value : stringify(value));
  await writeFile(path.join(dir, 'controller.yaml'), text(options.controller ?? minimalController));
  for (const [name, content] of Object.entries(options.platforms ?? {})) {
    await writeFile(path.join(dir, 'platforms', name), text(content));
  }
  return path.join(dir, 'controller.yaml');
}

/** Loads and returns the ConfigError it must throw. */
export async function loadError(
  file: string,
  env?: Record<string, string | undefined>,
): Promise<ConfigError> {
  try {
    await loadConfig(env === undefined ? { file } : { file, env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${file} to fail to load`);
}

/** The problems of one platform definition (none when it is valid), found through loadConfig. */
export async function platformIssues(platform: unknown): Promise<ConfigIssue[]> {
  const file = await writeConfig({ platforms: { 'p.yaml': platform } });
  try {
    await loadConfig({ file });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
}

/** Loads a platform that must be valid and returns it. */
export async function loadPlatform(platform: unknown): Promise<LoadedConfig> {
  return loadConfig({ file: await writeConfig({ platforms: { 'p.yaml': platform } }) });
}

/** A deep copy of `base` with the value at `at` replaced (or removed, for undefined). */
export function withValue<T>(base: T, at: readonly (string | number)[], value: unknown): T {
  const copy = structuredClone(base);
  let node: Record<string | number, unknown> = copy as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const template = {
  roleArn: 'arn:aws:iam::123456789012:role/eks',
  subnetIds: ['subnet-0a1', 'subnet-0a2'],
  nodeGroups: [
    {
      name: 'general',
      instanceTypes: ['m6i.large'],
      nodeRoleArn: 'arn:aws:iam::123456789012:role/nodes',
      minSize: 1,
      maxSize: 3,
      desiredSize: 2,
    },
  ],
};

const route53Traffic = {
  router: 'route53',
  hostedZoneId: 'Z0123456789ABC',
  recordName: 'shop.example.com',
  recordType: 'CNAME',
  ttl: '60s',
  steps: [
    { green: 10, bake: '2m' },
    { green: 50, bake: '2m', approval: 'required' },
    { green: 100, bake: '2m' },
  ],
};

/**
 * A valid Route 53 platform in the slots shape (values records, TTL 60s): both slots are created
 * from the template and named shop-a and shop-b. Each slot has its own copy of the template, so a
 * test that breaks one slot's template sees one problem (YAML anchors are tested in slots.test.ts).
 */
export const route53Platform = {
  name: 'shop',
  services: { source: { kind: 'copy', namespaces: ['shop'] } },
  slots: {
    a: { clusterName: 'shop-{slot}', mode: 'create', template: structuredClone(template) },
    b: { clusterName: 'shop-{slot}', mode: 'create', template: structuredClone(template) },
  },
  traffic: {
    ...route53Traffic,
    targets: {
      a: { setIdentifier: 'shop-a', values: ['a.example.net'] },
      b: { setIdentifier: 'shop-b', values: ['b.example.net'] },
    },
  },
};

/** The same platform in the older blue/green shape, which must keep loading. */
export const blueGreenRoute53Platform = {
  name: 'shop',
  services: { source: { kind: 'copy', namespaces: ['shop'] } },
  blue: { clusterName: 'shop-blue' },
  green: { mode: 'create', clusterName: 'shop-green', template: structuredClone(template) },
  traffic: {
    ...route53Traffic,
    blue: { setIdentifier: 'blue', values: ['blue.example.net'] },
    green: { setIdentifier: 'green', values: ['green.example.net'] },
  },
};

/** A target group ARN named `name`. */
export const tg = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;

/** A valid ALB platform with an adopted green cluster, in the older blue/green shape. */
export const albPlatform = {
  name: 'payments',
  services: { source: { kind: 'copy', namespaces: ['payments'] } },
  blue: { clusterName: 'payments-blue' },
  green: { mode: 'adopt', clusterName: 'payments-green' },
  traffic: {
    router: 'alb',
    listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/pay/0123456789abcdef/0123',
    blueTargetGroupArn: tg('blue'),
    greenTargetGroupArn: tg('green'),
    steps: [
      { green: 50, bake: '1m' },
      { green: 100, bake: '1m' },
    ],
  },
};

/** The ALB platform in the slots shape: both clusters adopted, one target group per slot. */
export const albSlotsPlatform = {
  name: 'payments',
  services: albPlatform.services,
  slots: {
    a: { clusterName: 'payments-blue', mode: 'adopt' },
    b: { clusterName: 'payments-green', mode: 'adopt' },
  },
  traffic: {
    router: 'alb',
    listenerArn: albPlatform.traffic.listenerArn,
    targets: { a: { targetGroupArn: tg('blue') }, b: { targetGroupArn: tg('green') } },
    steps: albPlatform.traffic.steps,
  },
};

/** "path: problem" lines, which is what a platform engineer reads. */
export async function problems(platform: unknown): Promise<string[]> {
  return (await platformIssues(platform)).map((issue) => `${issue.path}: ${issue.problem}`);
}

export const aliasTarget = (setIdentifier: string) => ({
  setIdentifier,
  alias: { dnsName: `${setIdentifier}.elb.amazonaws.com`, hostedZoneId: 'Z35SXDOTRQ7X7K' },
});
export const aliasPlatform = withValue(
  withValue(
    withValue(route53Platform, ['traffic', 'ttl'], undefined),
    ['traffic', 'targets', 'a'],
    aliasTarget('shop-a'),
  ),
  ['traffic', 'targets', 'b'],
  aliasTarget('shop-b'),
);

export const aRecordPlatform = withValue(
  withValue(
    withValue(route53Platform, ['traffic', 'recordType'], 'A'),
    ['traffic', 'targets', 'a', 'values'],
    ['10.0.0.1'],
  ),
  ['traffic', 'targets', 'b', 'values'],
  ['10.0.0.2', '10.0.0.3'],
);
