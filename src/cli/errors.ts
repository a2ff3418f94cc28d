/**
 * Exit codes and what is printed to stderr for each failure. The table is also in `--help`.
 */
import { ApiError, NetworkError, ResponseError } from './client.js';
import type { Settings } from './settings.js';

export const ExitCode = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `Exit codes:
  0  ok
  1  failed: server error (5xx), network error, not found (404), rate limited (429),
     or a promotion followed with --watch ended rolled back (a fleet run: ended
     failed, stopped or aborted)
  2  usage: unknown command or option, bad value, or the API rejected the input (400)
  3  refused: the API refused the request: conflict with the promotion's state (409),
     unknown or missing token (401), role not allowed (403); also nothing to act on
     (the platform has no active promotion)`;

/** A failure the CLI itself detects; its message is shown as is. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The exit code and the stderr text (without the "switchyard: " prefix) for an error in `action`: one
 * line, and for a server that did not answer (or did not answer as Switchyard) indented lines saying
 * where its URL came from and how to set it. `settings` is what the command ran with, when it got that far.
 */
export function describeFailure(
  action: string,
  error: unknown,
  settings?: Settings,
): { exitCode: ExitCode; line: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, line: `${action}: ${error.message}` };
  if (error instanceof ApiError) {
    const described = describeApiError(action, error);
    // No such route, and not our error body: another service at that URL, or a wrong path in it.
    return error.error === 'http_error' &&
      (error.status === 404 || error.status === 405) &&
      settings !== undefined
      ? { ...described, line: `${described.line}\n${serverHint(settings, 'is it a Switchyard controller?')}` }
      : described;
  }
  if (error instanceof NetworkError || error instanceof ResponseError) {
    const line = `${action} failed: ${error.message}`;
    return {
      exitCode: ExitCode.failed,
      line:
        error instanceof NetworkError && error.noAnswer && settings !== undefined
          ? `${line}\n${serverHint(settings, 'is the controller running there (switchyard serve)?')}`
          : line,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: ExitCode.failed, line: `${action} failed: ${message}` };
}

/** Which server was tried, where that URL came from, and every way to set another. */
export function serverHint(settings: Settings, question: string): string {
  const from = {
    flag: 'comes from --server',
    env: 'comes from SWITCHYARD_URL',
    file: `comes from ${settings.configFile}`,
    default: 'is the default (no server is set)',
  }[settings.serverFrom];
  return [
    `  ${settings.server} ${from}; ${question}`,
    `  Set the server with --server <url>, the SWITCHYARD_URL environment variable, or "server: <url>" in ${settings.configFile}.`,
  ].join('\n');
}

function describeApiError(action: string, error: ApiError): { exitCode: ExitCode; line: string } {
  const { status, message } = error;
  if (status === 400 || status === 413)
    return { exitCode: ExitCode.usage, line: `${action} rejected: ${message}` };
  if (status === 401) {
    return {
      exitCode: ExitCode.refused,
      line: `${action} refused: ${message} (give a token with --token, SWITCHYARD_TOKEN or the config file)`,
    };
  }
  if (status === 403 || status === 409)
    return { exitCode: ExitCode.refused, line: `${action} refused: ${message}` };
  if (status === 404) return { exitCode: ExitCode.failed, line: `${action} failed: ${message}` };
  if (status === 429)
    return { exitCode: ExitCode.failed, line: `${action} failed: rate limited: ${message}` };
  return { exitCode: ExitCode.failed, line: `${action} failed: server answered ${status}: ${message}` };
}
