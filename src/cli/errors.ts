/**
 * Exit codes and the one line printed to stderr for each failure. The table is also in `--help`.
 */
import { ApiError, NetworkError, ResponseError } from './client.js';

export const ExitCode = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `Exit codes:
  0  ok
  1  failed: server error (5xx), network error, not found (404), rate limited (429),
     or a promotion followed with --watch ended rolled back
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

/** The exit code and the stderr line (without the "switchyard: " prefix) for an error in `action`. */
export function describeFailure(action: string, error: unknown): { exitCode: ExitCode; line: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, line: `${action}: ${error.message}` };
  if (error instanceof ApiError) return describeApiError(action, error);
  if (error instanceof NetworkError || error instanceof ResponseError) {
    return { exitCode: ExitCode.failed, line: `${action} failed: ${error.message}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: ExitCode.failed, line: `${action} failed: ${message}` };
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
