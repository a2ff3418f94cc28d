/**
 * Where the CLI finds its server and token: flags (--server, --token), then the environment
 * (SWITCHYARD_URL, SWITCHYARD_TOKEN), then a YAML file (--config, or
 * $XDG_CONFIG_HOME/switchyard/cli.yaml, default ~/.config/switchyard/cli.yaml; keys server, token),
 * then the default server. Only the env passed in is read, so tests are hermetic.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CliError, ExitCode } from './errors.js';

/** The YAML parser, loaded only when there is a file to parse: most runs have none, and it is not small. */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

export const defaultServer = 'http://127.0.0.1:8080';

export interface Settings {
  readonly server: string;
  readonly token?: string;
  /** Where `server` came from: the flag, the environment, the config file, or the default. */
  readonly serverFrom: 'flag' | 'env' | 'file' | 'default';
  /** The CLI config file that was (or would have been) read, for messages that say how to set the server. */
  readonly configFile: string;
}

export interface SettingsInput {
  readonly flags: { server?: string | undefined; token?: string | undefined; config?: string | undefined };
  readonly env: Record<string, string | undefined>;
  /** Returns undefined when the file does not exist. */
  readonly readFile?: (path: string) => string | undefined;
}

interface FileSettings {
  readonly server?: string;
  readonly token?: string;
}
const fileKeys: readonly (keyof FileSettings)[] = ['server', 'token'];

export function defaultConfigPath(env: Record<string, string | undefined>): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  return base === undefined ? undefined : join(base, 'switchyard', 'cli.yaml');
}

export function resolveSettings({ flags, env, readFile = readIfExists }: SettingsInput): Settings {
  const file = readConfigFile(flags.config, env, readFile);
  const configFile = flags.config ?? shownPath(defaultConfigPath(env), env);
  const [server, serverFrom] = flags.server
    ? ([flags.server, 'flag'] as const)
    : env.SWITCHYARD_URL
      ? ([env.SWITCHYARD_URL, 'env'] as const)
      : file.server
        ? ([file.server, 'file'] as const)
        : ([defaultServer, 'default'] as const);
  const token = flags.token || env.SWITCHYARD_TOKEN || file.token;
  return { server: checkedServer(server), ...(token ? { token } : {}), serverFrom, configFile };
}

/** The default file as people write it: under ~ when it is in HOME, and ~/.config/… when there is no HOME. */
function shownPath(path: string | undefined, env: Record<string, string | undefined>): string {
  if (path === undefined) return '~/.config/switchyard/cli.yaml';
  return env.HOME && path.startsWith(`${env.HOME}/`) ? `~${path.slice(env.HOME.length)}` : path;
}

function readConfigFile(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string | undefined,
): FileSettings {
  const path = explicit ?? defaultConfigPath(env);
  if (path === undefined) return {};
  const text = readFile(path);
  if (text === undefined) {
    if (explicit === undefined) return {};
    throw new CliError(ExitCode.usage, `config file ${path} not found`);
  }
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    throw new CliError(ExitCode.usage, `config file ${path} is not YAML: ${(error as Error).message}`);
  }
  return checkedFile(data, path);
}

/** Two optional strings and nothing else: a misspelt key is an error, not a silently ignored setting. */
function checkedFile(data: unknown, path: string): FileSettings {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CliError(ExitCode.usage, `config file ${path}: expected a mapping with server and token`);
  }
  for (const [key, value] of Object.entries(data)) {
    if (!(fileKeys as readonly string[]).includes(key)) {
      throw new CliError(
        ExitCode.usage,
        `config file ${path}: unknown key "${key}" (allowed: ${fileKeys.join(', ')})`,
      );
    }
    if (typeof value !== 'string') {
      throw new CliError(ExitCode.usage, `config file ${path}: ${key}: expected a string`);
    }
  }
  return data as FileSettings;
}

function checkedServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(ExitCode.usage, `server "${server}" is not a URL (e.g. ${defaultServer})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(ExitCode.usage, `server "${server}" must be an http or https URL`);
  }
  return server.replace(/\/+$/, '');
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(ExitCode.usage, `cannot read config file ${path}: ${(error as Error).message}`);
  }
}
