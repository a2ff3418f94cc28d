/**
 * Event-stream clients for the SSE benchmark: each reads one stream, and for every event of the round
 * it waits for records how long after the write it arrived (the writer stamps sentAt with the same
 * wall clock) and the order it came in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type ClientRequest, request } from 'node:http';
import { join } from 'node:path';
import { wallMs } from './clock.js';

export interface StreamClient {
  readonly latencies: number[];
  readonly ns: number[];
  readonly seqs: number[];
  /** Resolves once the response has started (the server has the stream open). */
  readonly open: Promise<void>;
  close(): void;
}

export function connect(
  port: number,
  options: { lastSeq: number; round: number; headers: Record<string, string> },
): StreamClient {
  const client = { latencies: [] as number[], ns: [] as number[], seqs: [] as number[] };
  let req: ClientRequest | undefined;
  const open = new Promise<void>((resolve, reject) => {
    req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/promotions/p-1/events',
        agent: false,
        headers: { ...options.headers, 'last-event-id': String(options.lastSeq) },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`stream answered ${res.statusCode}`));
        resolve();
        let pending = '';
        res.on('data', (chunk: Buffer) => {
          const arrived = wallMs();
          pending += chunk.toString();
          const frames = pending.split('\n\n');
          pending = frames.pop() ?? '';
          for (const frame of frames) {
            const data = frame.split('\n').find((line) => line.startsWith('data: '));
            if (data === undefined) continue;
            const event = JSON.parse(data.slice(6)) as {
              seq: number;
              data?: { round?: number; n?: number; sentAt?: number };
            };
            if (event.data?.round !== options.round) continue;
            client.latencies.push(arrived - (event.data.sentAt ?? arrived));
            client.ns.push(event.data.n ?? -1);
            client.seqs.push(event.seq);
          }
        });
        res.on('error', () => {});
      },
    );
    req.on('error', (error) => reject(error));
    req.end();
  });
  return { ...client, open, close: () => req?.destroy() };
}

/** Starts bench/sse/server.ts as its own process and waits for its port. */
export function startSide(side: 'ours' | 'bare'): Promise<{
  port: number;
  ask<T>(message: object, answer: string): Promise<T>;
  stop(): Promise<void>;
}> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'server.ts'), side],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const ask = <T>(message: object, answer: string) =>
    new Promise<T>((resolve) => {
      const listen = (reply: { kind: string }) => {
        if (reply.kind !== answer) return;
        child.off('message', listen);
        resolve(reply as T);
      };
      child.on('message', listen);
      if (Object.keys(message).length > 0) child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${side} server exited (${code}) before it was ready`)));
    void ask<{ port: number }>({}, 'ready').then(({ port }) => {
      child.removeAllListeners('exit');
      resolve({
        port,
        ask,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.send({ kind: 'stop' });
          }),
      });
    });
  });
}
