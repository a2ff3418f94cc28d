import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseFleetStrategy } from '../../../src/config/fleet-schema.js';
import { loadConfig } from '../../../src/config/load.js';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { loadError, minimalController, route53Platform, withValue, writeConfig } from './temp-config.js';

const minimal = { name: 'waves', stages: [{ name: 'dev', selector: { env: 'dev' } }] };

/** The problems of an inline strategy, as "field: problem". */
function inlineProblem(value: unknown): string {
  try {
    parseFleetStrategy(value);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  throw new Error('expected the strategy to be refused');
}

describe('fleet strategy format', () => {
  it('fills in defaults: concurrency 1, no failures allowed, no soak, halt, deadline 30m', () => {
    expect(parseFleetStrategy(minimal)).toEqual({
      name: 'waves',
      stages: [
        {
          name: 'dev',
          selector: { env: 'dev' },
          maxConcurrency: 1,
          maxFailures: 0,
          memberSoakMs: 0,
          after: [],
          onFailure: 'halt',
        },
      ],
      windows: [],
      memberStartDeadlineMs: 30 * 60_000,
    });
  });

  it('reads counts and shares, gates, windows in UTC minutes, and orderBy', () => {
    const strategy = parseFleetStrategy({
      name: 'waves',
      memberStartDeadline: '10m',
      stages: [
        {
          name: 'prod',
          selector: { env: 'prod' },
          maxConcurrency: '50%',
          maxFailures: '10%',
          memberSoak: '5m',
          after: [{ approval: true }, { wait: '10m' }],
          onFailure: 'rollback-in-flight',
          orderBy: 'wave',
        },
      ],
      windows: [
        { deny: { days: ['sat', 'sun'], start: '22:00', end: '24:00' } },
        { allow: { start: '06:30', end: '18:00' } },
      ],
    });
    expect(strategy.stages[0]).toEqual({
      name: 'prod',
      selector: { env: 'prod' },
      maxConcurrency: '50%',
      maxFailures: '10%',
      memberSoakMs: 300_000,
      after: [{ kind: 'approval' }, { kind: 'wait', ms: 600_000 }],
      onFailure: 'rollback-in-flight',
      orderBy: 'wave',
    });
    expect(strategy.windows).toEqual([
      { kind: 'deny', days: ['sat', 'sun'], startMinute: 1320, endMinute: 1440 },
      { kind: 'allow', startMinute: 390, endMinute: 1080 },
    ]);
    expect(strategy.memberStartDeadlineMs).toBe(600_000);
  });

  it('refuses, naming the field in the request: duplicate stages, bad shares, gates, windows', () => {
    const stages = (stage: object) => ({ ...minimal, stages: [{ ...minimal.stages[0], ...stage }] });
    expect(inlineProblem({ ...minimal, stages: [minimal.stages[0], minimal.stages[0]] })).toBe(
      'strategy.stages[1].name: "dev" is already the name of stages[0]',
    );
    expect(inlineProblem(stages({ maxConcurrency: '0%' }))).toMatch(
      /^strategy\.stages\[0\]\.maxConcurrency: must be/,
    );
    expect(inlineProblem(stages({ maxConcurrency: 0 }))).toMatch(/^strategy\.stages\[0\]\.maxConcurrency/);
    expect(inlineProblem(stages({ maxFailures: '150%' }))).toMatch(/^strategy\.stages\[0\]\.maxFailures/);
    expect(inlineProblem(stages({ after: [{ approval: true, wait: '5m' }] }))).toBe(
      'strategy.stages[0].after[0]: needs exactly one of approval: true or wait: <duration>, has both',
    );
    expect(inlineProblem(stages({ onFailure: 'panic' }))).toMatch(
      /^strategy\.stages\[0\]\.onFailure: must be one of "halt", "rollback-in-flight", "continue"/,
    );
    expect(inlineProblem(stages({ selector: { env: 1 } }))).toBe(
      'strategy.stages[0].selector.env: must be text: quote it ("1")',
    );
    expect(inlineProblem({ ...minimal, windows: [{ deny: { start: '22:00', end: '06:00' } }] })).toMatch(
      /^strategy\.windows\[0\]\.deny\.end: must be after start \(a window over midnight is two windows/,
    );
    expect(inlineProblem({ ...minimal, windows: [{ deny: { start: '25:00', end: '26:00' } }] })).toMatch(
      /^strategy\.windows\[0\]\.deny\.start: must be a UTC time like "22:00"/,
    );
    expect(inlineProblem({ ...minimal, windows: [{ days: ['sat'] }] })).toMatch(
      /^strategy\.windows\[0\]\.days: unknown key/,
    );
    expect(inlineProblem({ ...minimal, stages: [] })).toBe('strategy.stages: must have at least 1 item');
  });
});

async function writeFleets(controllerFile: string, files: Record<string, unknown>): Promise<void> {
  const dir = path.join(path.dirname(controllerFile), 'fleets');
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), typeof content === 'string' ? content : stringify(content));
  }
}

const labelled = (name: string, labels: Record<string, string>) => ({
  ...withValue(withValue(route53Platform, ['name'], name), ['labels'], labels),
  slots: {
    a: { ...route53Platform.slots.a, clusterName: `${name}-{slot}` },
    b: { ...route53Platform.slots.b, clusterName: `${name}-{slot}` },
  },
});

describe('loading fleet strategies', () => {
  it('the example config has the standard strategy (dev, prod-canary, prod)', async () => {
    const { fleets } = await loadConfig({ file: 'config/controller.yaml' });
    expect([...fleets.keys()]).toEqual(['standard']);
    const standard = fleets.get('standard');
    expect(standard?.stages.map((s) => [s.name, s.maxConcurrency])).toEqual([
      ['dev', '100%'],
      ['prod-canary', 1],
      ['prod', '50%'],
    ]);
  });

  it('a missing fleetsDir means no strategies; fleetsDir is relative to the controller file', async () => {
    const file = await writeConfig({});
    expect((await loadConfig({ file })).fleets.size).toBe(0);
    const elsewhere = await writeConfig({ controller: { ...minimalController, fleetsDir: 'waves' } });
    await mkdir(path.join(path.dirname(elsewhere), 'waves'));
    await writeFile(path.join(path.dirname(elsewhere), 'waves', 'w.yaml'), stringify(minimal));
    const loaded = await loadConfig({ file: elsewhere });
    expect(loaded.controller.fleetsDir).toBe(path.join(path.dirname(elsewhere), 'waves'));
    expect([...loaded.fleets.keys()]).toEqual(['waves']);
  });

  it('a bad file is a ConfigError naming the file and key; every file is checked', async () => {
    const file = await writeConfig({});
    await writeFleets(file, {
      'a.yaml': { ...minimal, stages: [{ name: 'dev', selector: {}, memberSoak: 'soon' }] },
      'b.yaml': minimal,
      'c.yaml': minimal,
      'd.yml': '- name: x',
    });
    const error = await loadError(file);
    expect(error.issues.map((i) => [path.basename(i.file), i.path, i.problem])).toEqual([
      ['a.yaml', 'stages[0].memberSoak', expect.stringMatching(/^expected a duration like/)],
      ['c.yaml', 'name', expect.stringMatching(/^strategy "waves" is already defined in .*b\.yaml$/)],
      ['d.yml', '', expect.stringMatching(/^the top level must be a mapping of fleet strategy settings/)],
    ]);
  });

  it('a platform two stages select is reported at load, naming both stages', async () => {
    const file = await writeConfig({
      platforms: {
        'a.yaml': labelled('alpha', { env: 'prod', ring: 'canary' }),
        'b.yaml': labelled('beta', { env: 'prod' }),
      },
    });
    await writeFleets(file, {
      'waves.yaml': {
        name: 'waves',
        stages: [
          { name: 'canary', selector: { ring: 'canary' } },
          { name: 'prod', selector: { env: 'prod' } },
        ],
      },
    });
    const error = await loadError(file);
    expect(error.issues).toEqual([
      {
        file: expect.stringMatching(/fleets\/waves\.yaml$/),
        path: 'stages[1].selector',
        problem: expect.stringMatching(/platform "alpha" is selected by stage "canary" and by stage "prod"/),
      },
    ]);
  });
});

describe('platform labels', () => {
  it('are optional (none by default) and follow Kubernetes label syntax', async () => {
    const file = await writeConfig({
      platforms: {
        'a.yaml': labelled('alpha', { env: 'prod', 'switchyard.dev/tier': '1', empty: '' }),
        'b.yaml': route53Platform,
      },
    });
    const { platforms } = await loadConfig({ file });
    expect(platforms.get('alpha')?.labels).toEqual({ env: 'prod', 'switchyard.dev/tier': '1', empty: '' });
    expect(platforms.get('shop')?.labels).toEqual({});
  });

  it('refuses keys and values Kubernetes would, and numbers unquoted', async () => {
    const file = await writeConfig({
      platforms: { 'a.yaml': withValue(route53Platform, ['labels'], { env: 'a b', tier: 1 }) },
    });
    const error = await loadError(file);
    expect(error.issues.map((i) => `${i.path}: ${i.problem}`)).toEqual([
      expect.stringMatching(/^labels\.env: must be a label value/),
      'labels.tier: must be text: quote it ("1")',
    ]);
    const badKey = await writeConfig({
      platforms: { 'a.yaml': withValue(route53Platform, ['labels'], { 'bad key': 'x', 'a/b/c': 'y' }) },
    });
    expect((await loadError(badKey)).issues.map((i) => `${i.path}: ${i.problem}`)).toEqual([
      expect.stringMatching(/^labels\["bad key"\]: must be a label key/),
      expect.stringMatching(/^labels\["a\/b\/c"\]: must be a label key/),
    ]);
  });
});
