/**
 * A small keep-alive load generator for the P4 benchmark: `connections` clients each send GETs one after
 * another for `seconds`, and the server's own CPU time over the same span is read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

export interface Round {
  readonly requestsPerSecond: number;
  /** Server CPU milliseconds (user + system) per request. */
  readonly cpuMsPerRequest: number;
  readonly failures: number;
}

/** One GET and its whole body; rejects on anything but 200. */
export function get(
  agent: Agent,
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString())
          : reject(new Error(`GET ${path}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** CPU time the process has used, in ms (utime + stime from /proc, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function load(
  server: { readonly port: number; readonly pid: number },
  options: {
    /** The path of the n-th request. */
    path: (n: number) => string;
    headers: Record<string, string>;
    connections: number;
    seconds: number;
  },
): Promise<Round> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  let done = 0;
  let failures = 0;
  const cpuBefore = cpuMs(server.pid);
  const started = performance.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < until) {
        try {
          await get(agent, server.port, options.path(done + failures), options.headers);
          done++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuMs(server.pid) - cpuBefore;
  agent.destroy();
  return { requestsPerSecond: done / elapsed, cpuMsPerRequest: cpu / Math.max(1, done), failures };
}

/** Starts bench/p4/server.ts as its own process and waits for the port it listens on. */
export function startServer(
  side: 'ours' | 'bare',
  path: string,
): Promise<{ port: number; pid: number; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'server.ts'), side, path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`${side} server exited (${code}) before it listened`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\d+)/.exec(out);
      if (!ready) return;
      child.removeAllListeners('exit');
      resolve({
        port: Number(ready[1]),
        pid: child.pid ?? 0,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
