/**
 * What every command gets: the process's streams and env (injected, so tests run the CLI in process),
 * the API client built from the resolved settings, and output in the mode the user chose.
 */
import { type Command, Option } from 'commander';
import { type ApiClient, createClient } from './client.js';
import { resolveSettings, type Settings } from './settings.js';

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Record<string, string | undefined>;
  readonly fetch?: typeof fetch;
}

/**
 * What an action may set: `run` returns exitCode (e.g. 1 when a watched promotion ends rolled back),
 * and names the server in settings when it could not be reached.
 */
export interface Cli {
  readonly io: Io;
  exitCode: number;
  settings?: Settings;
}

export interface Session {
  readonly client: ApiClient;
  readonly json: boolean;
  readonly io: Io;
  /** Prints `value` as one JSON document in --output json, else the human text. */
  emit(value: unknown, human: () => string): void;
  /** A line for people; nothing in --output json, so stdout stays one document. */
  say(line: string): void;
}

/**
 * The connection and output options. They are added to the program and to each API command, so they
 * work before or after the command name; the program uses positional options so that `serve --config`
 * (the controller's config) and `--config` before a command (the CLI's own config) do not collide.
 */
export function addConnectionOptions(command: Command, hidden = false): Command {
  const options = [
    new Option('--server <url>', 'controller API URL (env SWITCHYARD_URL; default http://127.0.0.1:8080)'),
    new Option('--token <token>', 'bearer token (prefer env SWITCHYARD_TOKEN: flags show in ps)'),
    new Option(
      '--config <file>',
      'CLI config file with server and token (default ~/.config/switchyard/cli.yaml)',
    ),
    new Option('-o, --output <format>', 'human or json (one JSON document for scripts)').choices([
      'human',
      'json',
    ]),
  ];
  for (const option of options) command.addOption(hidden ? option.hideHelp() : option);
  return command;
}

/** An option given after the command name wins over the same one given before it. */
function globalOption(command: Command, name: 'server' | 'token' | 'config' | 'output'): string | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const value: unknown = c.getOptionValue(name);
    if (typeof value === 'string') return value;
  }
  return undefined;
}

export function session(cli: Cli, command: Command): Session {
  const { io } = cli;
  const settings = resolveSettings({
    flags: {
      server: globalOption(command, 'server'),
      token: globalOption(command, 'token'),
      config: globalOption(command, 'config'),
    },
    env: io.env,
  });
  cli.settings = settings;
  const json = globalOption(command, 'output') === 'json';
  const write = (text: string) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return {
    client: createClient({ ...settings, fetch: io.fetch ?? globalThis.fetch }),
    json,
    io,
    emit: (value, human) => write(json ? JSON.stringify(value, null, 2) : human()),
    say: (line) => {
      if (!json) write(line);
    },
  };
}

/** Who is at the keyboard, for default reasons; from the env only. */
export function userName(env: Record<string, string | undefined>): string {
  return env.USER || env.LOGNAME || env.USERNAME || 'an unknown user';
}
