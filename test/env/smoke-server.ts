import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stands in for a cluster's ingress: answers /healthz for one host name, healthy until told otherwise. */
export interface SmokeServer {
  readonly url: string;
  healthy: boolean;
  /** Requests seen, for tests that check a probe really ran. */
  readonly hits: number;
  close(): Promise<void>;
}

export async function startSmokeServer(host: string): Promise<SmokeServer> {
  let hits = 0;
  const state = { healthy: true };
  const server = createServer((req, res) => {
    hits++;
    // Answers for its host name (as an ingress does) and for its own address (a health endpoint probed
    // directly, as canary analysis does).
    if (
      req.headers.host !== host &&
      req.headers.host !== `127.0.0.1:${(server.address() as AddressInfo).port}`
    ) {
      res.writeHead(404).end(`no route for host ${req.headers.host}`);
      return;
    }
    const body = state.healthy ? { status: 'ok' } : { status: 'failing' };
    res
      .writeHead(state.healthy ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    get healthy() {
      return state.healthy;
    },
    set healthy(value: boolean) {
      state.healthy = value;
    },
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
