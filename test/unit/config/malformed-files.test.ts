/**
 * Files that are not the shape of a config at all: a top level that is a list, a scalar or nothing,
 * YAML that only a hostile or confused author writes (alias bombs, loops, tags), and a seeded fuzz
 * over both files. Whatever a file holds, loading ends in a ConfigError whose every issue names the
 * file, never in a TypeError from code that assumed a mapping (issue 12, point 6).
 */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigIssue } from '../../../src/config/errors.js';
import { loadConfig } from '../../../src/config/load.js';
import { platformSchema } from '../../../src/config/schema.js';
import { seededRandom } from '../../env/seeded-random.js';
import {
  albSlotsPlatform,
  loadError,
  minimalController,
  route53Platform,
  writeConfig,
} from './temp-config.js';

/** The issues of loading a config whose one platform file holds `text`, and that file's name. */
async function platformFile(text: string): Promise<{ shown: string; issues: readonly ConfigIssue[] }> {
  const controller = await writeConfig({ platforms: { 'p.yaml': text } });
  return {
    shown: path.join(path.dirname(controller), 'platforms', 'p.yaml'),
    issues: (await loadError(controller)).issues,
  };
}

/** The issues of loading a controller file holding `text`. */
async function controllerFile(text: string): Promise<{ shown: string; issues: readonly ConfigIssue[] }> {
  const controller = await writeConfig({ controller: text });
  return { shown: controller, issues: (await loadError(controller)).issues };
}

// Every anchor is used nine times by the next: 9^9 values from a few hundred bytes.
const aliasBomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'
    .split('')
    .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

const notMappings: [string, string, string][] = [
  ['a list', '- shop\n- payments\n', 'got a list'],
  ['an empty list', '[]\n', 'got a list'],
  ['a string', 'shop\n', 'got "shop"'],
  ['a number', '42\n', 'got 42'],
  ['a boolean', 'true\n', 'got true'],
  ['a quoted date', '"2024-01-01"\n', 'got "2024-01-01"'],
];
const empties: [string, string][] = [
  ['nothing', ''],
  ['null', 'null\n'],
  ['~', '~\n'],
  ['only a comment', '# to do\n'],
  ['only a document marker', '---\n'],
];

describe('a platform file whose top level is not a mapping', () => {
  it.each(notMappings)('is refused naming the file when it is %s', async (_, text, got) => {
    const { shown, issues } = await platformFile(text);
    expect(issues).toEqual([
      { file: shown, path: '', problem: `the top level must be a mapping of platform settings, ${got}` },
    ]);
  });

  it.each(empties)('is refused naming the file when it holds %s', async (_, text) => {
    const { shown, issues } = await platformFile(text);
    expect(issues).toEqual([{ file: shown, path: '', problem: 'the file is empty; expected a mapping' }]);
  });

  it('says a list of mappings is one platform per file', async () => {
    const { shown, issues } = await platformFile(stringify([route53Platform]));
    expect(issues).toEqual([
      {
        file: shown,
        path: '',
        problem:
          'the top level must be a mapping of platform settings, got a list (one platform per file, its keys at the top level, not under a "- ")',
      },
    ]);
  });

  it('names the file even when a rule throws on input it did not expect', async () => {
    // The crash a fuzzing run found in `serve`, as it looked: a bare TypeError, no file.
    const spy = vi.spyOn(platformSchema, 'safeParse').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'clusterName')");
    });
    try {
      const { shown, issues } = await platformFile(stringify(route53Platform));
      expect(issues).toEqual([
        {
          file: shown,
          path: '',
          problem:
            "could not be checked (a Switchyard bug, please report): Cannot read properties of undefined (reading 'clusterName')",
        },
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('does not hide the problems of the other platform files', async () => {
    const controller = await writeConfig({
      platforms: { 'a.yaml': '- x\n', 'b.yaml': { ...albSlotsPlatform, name: 'B' }, 'c.yaml': 'c\n' },
    });
    const error = await loadError(controller);
    expect(error.issues.map((i) => `${path.basename(i.file)} ${i.path}`)).toEqual([
      'a.yaml ',
      'b.yaml name',
      'c.yaml ',
    ]);
  });
});

describe('a controller file whose top level is not a mapping', () => {
  it.each(notMappings)('is refused naming the file when it is %s', async (_, text, got) => {
    const { shown, issues } = await controllerFile(text);
    expect(issues).toEqual([
      { file: shown, path: '', problem: `the top level must be a mapping of controller settings, ${got}` },
    ]);
  });

  it.each(empties)('is refused naming the file when it holds %s', async (_, text) => {
    const { shown, issues } = await controllerFile(text);
    expect(issues).toEqual([{ file: shown, path: '', problem: 'the file is empty; expected a mapping' }]);
  });
});

describe('YAML that does not describe plain values', () => {
  const aliasProblem =
    'YAML aliases expand to more than 100 values (refused: a guard against alias bombs); write the values out or use fewer aliases';

  it('refuses an alias bomb naming the file, in a platform file and in the controller file', async () => {
    const platform = await platformFile(aliasBomb);
    expect(platform.issues).toEqual([{ file: platform.shown, path: '', problem: aliasProblem }]);
    const controller = await controllerFile(aliasBomb);
    expect(controller.issues).toEqual([{ file: controller.shown, path: '', problem: aliasProblem }]);
  });

  it('refuses an alias with no anchor before it', async () => {
    const { shown, issues } = await platformFile('name: *shop\n');
    expect(issues).toEqual([
      { file: shown, path: '', problem: expect.stringMatching(/^YAML: .*alias.*shop/i) },
    ]);
  });

  it('refuses tags it does not read, with their position', async () => {
    for (const [text, tag] of [
      ['name: !!binary c2hvcA==\n', '!!binary'],
      ['name: shop\nslots: !!omap [a: 1]\n', '!!omap'],
      ['!!set {name, slots}\n', '!!set'],
      ['name: !vault shop\n', '!vault'],
    ] as const) {
      const { shown, issues } = await platformFile(text);
      expect(issues, text).toEqual([
        {
          file: shown,
          path: '',
          problem: `YAML: unsupported tag ${tag}; write the plain value`,
          line: expect.any(Number),
          column: expect.any(Number),
        },
      ]);
    }
  });

  it('refuses a second document and a merge key in words a config author knows', async () => {
    const twoDocs = await platformFile(`${stringify(route53Platform)}---\n${stringify(albSlotsPlatform)}`);
    expect(twoDocs.issues).toEqual([
      expect.objectContaining({
        file: twoDocs.shown,
        problem: 'YAML syntax: more than one document (a second "---"); a config file holds one',
      }),
    ]);
    const merge = await platformFile(
      `${stringify(route53Platform)}defaults: &d {maxAttempts: 3}\nretry:\n  <<: *d\n`,
    );
    expect(merge.issues.map((i) => `${i.path}: ${i.problem}`).sort()).toEqual([
      expect.stringMatching(/^defaults: unknown key/),
      'retry["<<"]: YAML merge keys (<<) are not supported: repeat the keys, or alias a whole value (&name … *name)',
    ]);
  });

  it('reads an alias that refers to its own parent as a loop without hanging or crashing', async () => {
    const { shown, issues } = await platformFile(`${stringify(route53Platform)}foundation: &f {nodes: *f}\n`);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue).toMatchObject({ file: shown, path: /^foundation/ });
  });
});

/** Seeded draws: the same documents on every run, so a failure reproduces. */
function random(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const scalars = [
    null,
    '',
    'x',
    'shop',
    '30s',
    '-1m',
    0,
    -1,
    1.5,
    65_536,
    true,
    false,
    'a',
    '{slot}',
    '1.35',
  ];
  const keys = [
    'a',
    'b',
    'name',
    'slots',
    'traffic',
    'steps',
    'clusterName',
    'router',
    'path',
    'region',
    'x',
  ];
  /** A scalar, or a list or mapping of up to three values, nested up to three deep. */
  const value = (depth = 0): unknown => {
    const roll = next();
    if (depth >= 3 || roll < 0.45) return pick(scalars);
    if (roll < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 4) }, () => [pick(keys), value(depth + 1)]),
    );
  };
  return { next, pick, value };
}

/** Text no parser expects: fragments of YAML punctuation and words. */
function garbage(rng: ReturnType<typeof random>): string {
  const pieces = [
    '- ',
    ': ',
    '{',
    '}',
    '[',
    ']',
    '&a ',
    '*a',
    '!!',
    '"',
    "'",
    '\n',
    '  ',
    '#',
    '---\n',
    '? ',
    'name',
    '\t',
    '|',
    '>',
    ',',
    '%',
  ];
  return Array.from({ length: 5 + Math.floor(rng.next() * 30) }, () => rng.pick(pieces)).join('');
}

/** Documents for one file kind: a random top level, a wrong value at each top-level key, garbage. */
function fuzzDocuments(seed: number, valid: Record<string, unknown>, extraKeys: readonly string[]): string[] {
  const rng = random(seed);
  const documents: string[] = [];
  for (let i = 0; i < 12; i++) documents.push(stringify(rng.value(1)));
  for (const key of [...Object.keys(valid), ...extraKeys]) {
    documents.push(stringify({ ...valid, [key]: rng.value(1) }));
  }
  for (let i = 0; i < 8; i++) documents.push(garbage(rng));
  return documents;
}

describe('fuzzed config files', () => {
  const seed = 12;

  it('a platform file: only ever a ConfigError, every issue naming the file', async () => {
    const platformKeys = [
      'initialLive',
      'initialLiveCluster',
      'blue',
      'green',
      'maxVersionJump',
      'rollback',
      'retry',
      'stageTimeouts',
      'pollInterval',
      'foundation',
      'notifications',
    ];
    const documents = [
      ...fuzzDocuments(seed, route53Platform, platformKeys),
      ...fuzzDocuments(seed + 1, albSlotsPlatform, []),
    ];
    expect(documents.length).toBeGreaterThan(40);
    for (const text of documents) {
      const controller = await writeConfig({ platforms: { 'p.yaml': text } });
      const shown = path.join(path.dirname(controller), 'platforms', 'p.yaml');
      await expectOnlyConfigIssues(controller, shown, text);
    }
  });

  it('a controller file: only ever a ConfigError, every issue naming the file', async () => {
    const documents = fuzzDocuments(seed, minimalController, [
      'server',
      'reconciler',
      'platformsDir',
      'auth',
    ]);
    expect(documents.length).toBeGreaterThan(20);
    for (const text of documents) {
      const controller = await writeConfig({ controller: text });
      await expectOnlyConfigIssues(controller, controller, text);
    }
  });
});

/** Loads; a valid result is fine (a random value can be a valid one), anything else must be a ConfigError. */
async function expectOnlyConfigIssues(controller: string, shown: string, text: string): Promise<void> {
  let error: unknown;
  try {
    await loadConfig({ file: controller });
    return;
  } catch (caught) {
    error = caught;
  }
  const document = `document:\n${text}`;
  expect(error, document).toBeInstanceOf(ConfigError);
  const issues = (error as ConfigError).issues;
  expect(issues.length, document).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(issue.file, document).toBe(shown);
    expect(typeof issue.path, document).toBe('string');
    expect(issue.problem, document).not.toMatch(/^$|Cannot read properties|is not a function|undefined/);
  }
}
