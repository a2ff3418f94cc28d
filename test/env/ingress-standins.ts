/**
 * A platform's two public entry points on loopback, one per cluster: blue's ingress on 127.0.0.2 and
 * green's on 127.0.0.3, both on the same port (Linux answers every 127/8 address), so one URL reaches
 * either side depending only on what its host name resolves to. Each answers every request 200 with
 * `x-served-by: <cluster name>`, keeps connections alive as a real ingress does, and can be switched to
 * answer 503 (a broken green) or to drop connections without an answer.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const ingressAddresses = { blue: '127.0.0.2', green: '127.0.0.3' } as const;
export type IngressSide = keyof typeof ingressAddresses;

/** ok: 200; unavailable: 503 with the header still naming the cluster; drop: the connection is closed unanswered. */
export type IngressMode = 'ok' | 'unavailable' | 'drop';

export interface IngressStandIn {
  readonly cluster: string;
  readonly address: string;
  mode: IngressMode;
  /** Requests answered (any status), for a test that checks the side was reached at all. */
  readonly answered: number;
}

export interface IngressStandIns {
  readonly port: number;
  readonly blue: IngressStandIn;
  readonly green: IngressStandIn;
  close(): Promise<void>;
}

/** Longer than any client here keeps a connection idle, as ingress controllers' defaults (60–75 s) are. */
const keepAliveTimeoutMs = 65_000;

interface Running {
  readonly standIn: IngressStandIn;
  readonly server: Server;
}

function serve(cluster: string, address: string): Running {
  const state = { mode: 'ok' as IngressMode, answered: 0 };
  const server = createServer((request, response) => {
    if (state.mode === 'drop') {
      request.socket.destroy();
      return;
    }
    state.answered++;
    const ok = state.mode === 'ok';
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', 'x-served-by': cluster });
    response.end(ok ? `served by ${cluster}\n` : `${cluster} is unavailable\n`);
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  const standIn: IngressStandIn = {
    cluster,
    address,
    get mode() {
      return state.mode;
    },
    set mode(mode: IngressMode) {
      state.mode = mode;
    },
    get answered() {
      return state.answered;
    },
  };
  return { standIn, server };
}

async function listen(server: Server, address: string, port: number): Promise<number> {
  server.listen(port, address);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error)),
  ]);
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Kept-alive connections would hold close() open until they idle out.
    server.closeAllConnections();
  });
}

/** `clusters`: the names each side reports in x-served-by, e.g. shop-blue and shop-green. */
export async function startIngressStandIns(clusters: {
  readonly blue: string;
  readonly green: string;
}): Promise<IngressStandIns> {
  // Blue takes any free port; the same port on green's address is almost always free, else try again.
  for (let attempt = 1; ; attempt++) {
    const blue = serve(clusters.blue, ingressAddresses.blue);
    const green = serve(clusters.green, ingressAddresses.green);
    try {
      const port = await listen(blue.server, ingressAddresses.blue, 0);
      await listen(green.server, ingressAddresses.green, port);
      return {
        port,
        blue: blue.standIn,
        green: green.standIn,
        close: async () => {
          await Promise.all([closeServer(blue.server), closeServer(green.server)]);
        },
      };
    } catch (error) {
      await Promise.all([closeServer(blue.server), closeServer(green.server)]);
      if (attempt >= 5) throw error;
    }
  }
}
