import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.js';
import { defaultConfigPath, resolveSettings } from '../../../src/cli/settings.js';
import { cli, closedPort } from './helpers.js';

const file = (text: string | undefined) => () => text;
const fileYaml = 'server: http://from-file:1\ntoken: file-token\n';

describe('CLI settings', () => {
  it('takes each of server and token from the flag, else the env, else the file, else the default', () => {
    const env = { SWITCHYARD_URL: 'http://from-env:1/', SWITCHYARD_TOKEN: 'env-token', HOME: '/home/x' };
    expect(
      resolveSettings({
        flags: { server: 'http://from-flag:1', token: 'flag-token' },
        env,
        readFile: file(fileYaml),
      }),
    ).toEqual({
      server: 'http://from-flag:1',
      token: 'flag-token',
      serverFrom: 'flag',
      configFile: '~/.config/switchyard/cli.yaml',
    });
    expect(resolveSettings({ flags: {}, env, readFile: file(fileYaml) })).toMatchObject({
      server: 'http://from-env:1',
      token: 'env-token',
      serverFrom: 'env',
    });
    expect(resolveSettings({ flags: {}, env: { HOME: '/home/x' }, readFile: file(fileYaml) })).toMatchObject({
      server: 'http://from-file:1',
      token: 'file-token',
      serverFrom: 'file',
    });
    // Mixed: each setting on its own.
    expect(
      resolveSettings({ flags: { token: 'flag-token' }, env: { HOME: '/h' }, readFile: file(fileYaml) }),
    ).toMatchObject({ server: 'http://from-file:1', token: 'flag-token', serverFrom: 'file' });
    expect(resolveSettings({ flags: {}, env: { HOME: '/h' }, readFile: file(undefined) })).toEqual({
      server: 'http://127.0.0.1:8080',
      serverFrom: 'default',
      configFile: '~/.config/switchyard/cli.yaml',
    });
  });

  it('finds the default file under XDG_CONFIG_HOME or ~/.config, and reads none without either', () => {
    expect(defaultConfigPath({ HOME: '/home/x' })).toBe('/home/x/.config/switchyard/cli.yaml');
    expect(defaultConfigPath({ HOME: '/home/x', XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/switchyard/cli.yaml');
    expect(defaultConfigPath({})).toBeUndefined();
  });

  it('refuses a missing --config file, a file with unknown keys, and a server that is not an http URL', () => {
    const usage = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        expect((error as CliError).exitCode).toBe(2);
        return (error as Error).message;
      }
      throw new Error('expected a CliError');
    };
    expect(
      usage(() => resolveSettings({ flags: { config: '/nope.yaml' }, env: {}, readFile: file(undefined) })),
    ).toBe('config file /nope.yaml not found');
    expect(
      usage(() =>
        resolveSettings({ flags: { config: '/c.yaml' }, env: {}, readFile: file('sever: http://x\n') }),
      ),
    ).toMatch(/^config file \/c\.yaml: .*sever/);
    expect(
      usage(() =>
        resolveSettings({ flags: { config: '/c.yaml' }, env: {}, readFile: file('server: 8080\n') }),
      ),
    ).toBe('config file /c.yaml: server: expected a string');
    expect(
      usage(() => resolveSettings({ flags: { config: '/c.yaml' }, env: {}, readFile: file('- a\n- b\n') })),
    ).toBe('config file /c.yaml: expected a mapping with server and token');
    expect(usage(() => resolveSettings({ flags: { server: 'localhost:8080' }, env: {} }))).toMatch(
      /not a URL|http/,
    );
  });

  it('reads a real config file through the CLI: --config, and the default under HOME', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    mkdirSync(join(home, '.config', 'switchyard'), { recursive: true });
    // Nothing listens there: the error line shows which server was chosen.
    const port = await closedPort();
    writeFileSync(join(home, '.config', 'switchyard', 'cli.yaml'), `server: http://127.0.0.1:${port}\n`);
    writeFileSync(join(home, 'other.yaml'), `server: http://127.0.0.2:${port}\n`);
    const fromHome = await cli(['platforms'], { HOME: home });
    expect(fromHome.stderr).toContain(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
    const fromFlag = await cli(['--config', join(home, 'other.yaml'), 'platforms'], { HOME: home });
    expect(fromFlag.stderr).toContain(`cannot reach http://127.0.0.2:${port}: ECONNREFUSED`);
    const fromEnv = await cli(['platforms'], { HOME: home, SWITCHYARD_URL: `http://127.0.0.3:${port}` });
    expect(fromEnv.stderr).toContain(`cannot reach http://127.0.0.3:${port}: ECONNREFUSED`);
    const missing = await cli(['platforms', '--config', join(home, 'missing.yaml')], { HOME: home });
    expect(missing).toMatchObject({
      code: 2,
      stderr: `switchyard: platforms: config file ${join(home, 'missing.yaml')} not found\n`,
    });
  });
});
