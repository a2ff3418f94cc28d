import { join } from 'node:path';
import { type ServerProcess, startServer, waitUntilReady } from './server-process.js';
import { projectRoot, runToolScript } from './tools.js';

export interface MotoServer {
  /** Base URL to give the AWS SDK clients as their endpoint. */
  readonly endpoint: string;
  readonly process: ServerProcess;
}

/** Starts moto in server mode on a free loopback port and waits until it answers. */
export async function startMoto(logDir: string): Promise<MotoServer> {
  const python = await runToolScript('install-moto.sh');
  let stdout = '';
  let port: number | undefined;
  const server = startServer('moto', python, [join(projectRoot, 'tools/moto/serve.py')], {
    logFile: join(logDir, 'moto.log'),
    onStdout: (chunk) => {
      stdout += chunk;
      const match = /moto listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match?.[1]) port = Number(match[1]);
    },
  });
  await waitUntilReady(server, 'listening', async () => port !== undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(server, 'healthy', async () => (await fetch(`${endpoint}/moto-api/`)).ok);
  return { endpoint, process: server };
}

/** Drops every resource in every moto backend, so each test file starts from an empty account. */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}
