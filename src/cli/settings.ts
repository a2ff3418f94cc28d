/**
 * Where the CLI finds its server and token: flags (--server, --token), then the environment
 * (SWITCHYARD_URL, SWITCHYARD_TOKEN), then a YAML file (--config, or
 * $XDG_CONFIG_HOME/switchyard/cli.yaml, default ~/.config/switchyard/cli.yaml; keys server, token),
 * then the default server. Only the env passed in is read, so tests are hermetic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { CliError, ExitCode } from './errors.js';

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

const fileSchema = z.strictObject({ server: z.string().optional(), token: z.string().optional() });

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
): z.output<typeof fileSchema> {
  const path = explicit ?? defaultConfigPath(env);
  if (path === undefined) return {};
  const text = readFile(path);
  // The default file is optional; a file named on the command line must exist.
  if (text === undefined) {
    if (explicit === undefined) return {};
    throw new CliError(ExitCode.usage, `config file ${path} not found`);
  }
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (error) {
    throw new CliError(ExitCode.usage, `config file ${path} is not YAML: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new CliError(ExitCode.usage, `config file ${path}: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
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
