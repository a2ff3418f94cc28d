/**
 * What the CLI says when it cannot do what was asked: a server it cannot reach (the URL tried, where
 * that URL came from, every way to set it) and a platform name the controller does not know (the
 * names it does know). Issue 12, point 8.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError } from '../../../src/cli/client.js';
import { describeFailure } from '../../../src/cli/errors.js';
import { listKnown } from '../../../src/cli/resolve.js';
import { cli, closedPort, listeningApi } from './helpers.js';

/** A fetch that fails the way Node's does when nothing listens on the port. */
const refused = (async () => {
  throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
}) as unknown as typeof fetch;

const howToSet = (file: string) =>
  `  Set the server with --server <url>, the SWITCHYARD_URL environment variable, or "server: <url>" in ${file}.`;

describe('a server the CLI cannot reach', () => {
  it('is named with where its URL came from and how to set it, exit 1', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    const cases: [string[], Record<string, string>, string][] = [
      [['status'], {}, 'http://127.0.0.1:8080 is the default (no server is set)'],
      [['status'], { SWITCHYARD_URL: 'http://sy.test:1' }, 'http://sy.test:1 comes from SWITCHYARD_URL'],
      [['--server', 'http://sy.test:2', 'status'], {}, 'http://sy.test:2 comes from --server'],
      [['status', '--server', 'http://sy.test:3'], {}, 'http://sy.test:3 comes from --server'],
    ];
    for (const [argv, env, from] of cases) {
      const result = await cli(argv, { HOME: home, ...env }, { fetch: refused });
      const server = from.split(' ')[0];
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr.split('\n'), argv.join(' ')).toEqual([
        `switchyard: status failed: cannot reach ${server}: ECONNREFUSED`,
        `  ${from}; is the controller running there (switchyard serve)?`,
        howToSet('~/.config/switchyard/cli.yaml'),
        '',
      ]);
    }
  });

  it('names the config file the URL came from, and the file given with --config', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    mkdirSync(join(home, '.config', 'switchyard'), { recursive: true });
    writeFileSync(join(home, '.config', 'switchyard', 'cli.yaml'), 'server: http://from-file.test:1\n');
    writeFileSync(join(home, 'team.yaml'), 'server: http://team.test:1\n');

    const fromDefault = await cli(['platforms'], { HOME: home }, { fetch: refused });
    expect(fromDefault.stderr).toContain(
      '  http://from-file.test:1 comes from ~/.config/switchyard/cli.yaml; is the controller running',
    );
    const team = join(home, 'team.yaml');
    const fromFlag = await cli(['--config', team, 'platforms'], { HOME: home }, { fetch: refused });
    expect(fromFlag.stderr).toContain(`  http://team.test:1 comes from ${team}; is the controller running`);
    expect(fromFlag.stderr).toContain(howToSet(team));
    const xdg = await cli(['platforms'], { XDG_CONFIG_HOME: '/etc/xdg-test' }, { fetch: refused });
    expect(xdg.stderr).toContain(howToSet('/etc/xdg-test/switchyard/cli.yaml'));
  });

  it('says the same of a real refused connection', async () => {
    const port = await closedPort();
    const real = await cli(['platforms'], { SWITCHYARD_URL: `http://127.0.0.1:${port}` });
    expect(real.code).toBe(1);
    expect(real.stderr).toContain(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
    expect(real.stderr).toContain(`  http://127.0.0.1:${port} comes from SWITCHYARD_URL;`);
  });

  it('says the same of a server that never answers, but not of a stream that broke midway', () => {
    const settings = {
      server: 'http://10.9.9.9:8080',
      serverFrom: 'env',
      configFile: '~/.config/switchyard/cli.yaml',
    } as const;
    const silent = describeFailure(
      'status',
      new NetworkError('no answer from http://10.9.9.9:8080 within 30s', true),
      settings,
    );
    expect(silent.exitCode).toBe(1);
    expect(silent.line.split('\n')).toEqual([
      'status failed: no answer from http://10.9.9.9:8080 within 30s',
      '  http://10.9.9.9:8080 comes from SWITCHYARD_URL; is the controller running there (switchyard serve)?',
      howToSet('~/.config/switchyard/cli.yaml'),
    ]);
    const broke = describeFailure(
      'status',
      new NetworkError('event stream from http://x broke: ECONNRESET'),
      settings,
    );
    expect(broke.line).toBe('status failed: event stream from http://x broke: ECONNRESET');
  });

  it('asks whether the URL is a Switchyard controller when something else answers 404 there', async () => {
    const notOurs = (async () =>
      new Response('<h1>Not Found</h1>', { status: 404 })) as unknown as typeof fetch;
    const result = await cli(['platforms'], { SWITCHYARD_URL: 'http://wiki.test' }, { fetch: notOurs });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').slice(1, 2)).toEqual([
      '  http://wiki.test comes from SWITCHYARD_URL; is it a Switchyard controller?',
    ]);
  });
});

describe('a platform name the controller does not know', () => {
  let api: Awaited<ReturnType<typeof listeningApi>> | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('is answered with the known platforms, by every command that takes one, exit 1', async () => {
    api = await listeningApi();
    const cases: [string[], string][] = [
      [['promote', 'shpo', '--to', '1.35'], 'promote: platform "shpo" not found'],
      [['plan', 'shpo', '--to', '1.35'], 'plan: platform "shpo" not found'],
      [['rollback', 'shpo'], 'rollback: platform "shpo" not found'],
      [['traffic', 'shpo', '--green', '5'], 'traffic: platform "shpo" not found'],
      [['status', 'shpo'], 'status: no promotion or platform named "shpo"'],
      [['pause', 'shpo'], 'pause: no promotion or platform named "shpo"'],
      [['resume', 'shpo'], 'resume: no promotion or platform named "shpo"'],
      [['approve', 'shpo'], 'approve: no promotion or platform named "shpo"'],
      [['abandon', 'shpo'], 'abandon: no promotion or platform named "shpo"'],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv, api.env('admin'));
      expect(result, argv.join(' ')).toMatchObject({
        code: 1,
        stderr: `switchyard: ${message}; known platforms: shop\n`,
      });
    }
  });

  it('is not claimed for a known platform whose 404 means something else', async () => {
    api = await listeningApi();
    const result = await cli(['rollback', 'shop'], api.env('admin'));
    expect(result).toMatchObject({
      code: 1,
      stderr: 'switchyard: rollback failed: promotion of platform "shop" not found\n',
    });
  });

  it('lists names sorted, at most ten, and says when there are none', () => {
    const named = (...names: string[]) => names.map((name) => ({ name }));
    expect(listKnown(named('shop', 'payments'))).toBe('known platforms: payments, shop');
    expect(listKnown([])).toBe('the controller has no platforms (see its platformsDir)');
    const many = named(...Array.from({ length: 13 }, (_, i) => `p${String(i).padStart(2, '0')}`));
    expect(listKnown(many)).toBe(
      'known platforms: p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, and 3 more (switchyard platforms)',
    );
  });
});
