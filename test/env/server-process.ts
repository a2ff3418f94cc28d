import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A test server child process whose output goes to a log file. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each chunk of stdout, e.g. to read a port the server announces. */
  readonly onStdout?: (chunk: string) => void;
}

export function startServer(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions,
): ServerProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  child.stdout?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    options.onStdout?.(chunk.toString('utf8'));
  });
  child.stderr?.pipe(log);

  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      ended = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });

  return {
    name,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    hasExited: () => ended,
    async stop(graceMs = 10_000) {
      if (ended) return;
      child.kill('SIGTERM');
      const outcome = await Promise.race([exited.then(() => 'exited'), sleep(graceMs).then(() => 'timeout')]);
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      log.end();
    },
  };
}

/** The last lines of a server's log, for error messages that say why it did not come up. */
export function logTail(server: ServerProcess, lines = 20): string {
  try {
    return readFileSync(server.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `probe` until it returns true. Fails early, with the log tail, if the server exits, and after
 * `timeoutMs` otherwise.
 */
export async function waitUntilReady(
  server: ServerProcess,
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 50;
  let lastError = '';
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      throw new Error(`${server.name} exited before ${what}; log ${server.logFile}:\n${logTail(server)}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 1_000);
  }
  throw new Error(
    `${server.name}: not ${what} after ${timeoutMs} ms (last error: ${lastError || 'none'}); log ${server.logFile}:\n${logTail(server)}`,
  );
}
