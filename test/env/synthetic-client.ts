/**
 * A population of clients of a platform's public URL, independent of the product's code: each virtual
 * client has its own DNS cache (client-resolver.ts, honouring the answers' TTL) and its own kept-alive
 * connection, and the population sends requests at a steady total rate, spread over the clients in turn.
 * Some requests go on a new connection (resolved through the client's cache), the rest on the client's
 * kept-alive connection, which stays on the address it was opened to (as real clients' pools do) until
 * it reaches its maximum age and is replaced by one opened to a fresh answer.
 *
 * Every request is recorded with the answer its connection was opened on, so the split can be judged
 * by when clients learnt the weights (observed-split.ts), not by when they happened to send.
 */
import http, { type IncomingMessage } from 'node:http';
import { type Answer, type ClientResolver, clientResolver } from './client-resolver.js';

export type ClientLane = 'fresh' | 'keptAlive';

export interface RequestRecord {
  readonly client: number;
  readonly lane: ClientLane;
  readonly sentAt: number;
  /** The DNS answer the request's connection was opened on; absent when resolving failed. */
  readonly answer?: Answer;
  /** The served-by header's value; absent without a response. */
  readonly servedBy?: string;
  readonly status?: number;
  /** Why no response came: DNS failure, refused, reset, closed, timed out. */
  readonly error?: string;
}

export interface SyntheticClientOptions {
  /** e.g. http://shop.example.test:40123/ */
  readonly url: string;
  /** The DNS server every client asks: "127.0.0.1:53535". */
  readonly resolver: string;
  readonly clients: number;
  /** Requests per second across the whole population. */
  readonly ratePerSecond: number;
  readonly servedByHeader: string;
  /** Share of requests on a client's kept-alive connection (default 0.5). */
  readonly keepAliveShare?: number;
  /** A kept-alive connection takes no new request past this age (default 2 s). */
  readonly keepAliveMaxMs?: number;
  readonly timeoutMs?: number;
}

export interface SyntheticClient {
  /** Requests that have an outcome so far. */
  readonly records: readonly RequestRecord[];
  /** Stops sending and waits for every open request's outcome; resolves with all the records. */
  stop(): Promise<readonly RequestRecord[]>;
}

interface KeptAlive {
  readonly agent: http.Agent;
  readonly answer: Answer;
  readonly openedAt: number;
  open: number;
  retired: boolean;
}

interface VirtualClient {
  readonly index: number;
  readonly dns: ClientResolver;
  keptAlive?: KeptAlive;
  sent: number;
}

const tickMs = 10;

export function startSyntheticClient(options: SyntheticClientOptions): SyntheticClient {
  const url = new URL(options.url);
  const port = Number(url.port || 80);
  const [dnsHost = '127.0.0.1', dnsPort = '53'] = options.resolver.split(':');
  const dnsServer = { host: dnsHost, port: Number(dnsPort) };
  const keepAliveShare = options.keepAliveShare ?? 0.5;
  const keepAliveMaxMs = options.keepAliveMaxMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const population: VirtualClient[] = Array.from({ length: options.clients }, (_, index) => ({
    index,
    dns: clientResolver(dnsServer),
    sent: 0,
  }));
  const records: RequestRecord[] = [];
  const open = new Set<Promise<void>>();
  const started = performance.now();
  let attempted = 0;

  /** Kept-alive requests are spread evenly through each client's requests. */
  function laneOf(client: VirtualClient): ClientLane {
    const n = client.sent;
    return Math.floor(n * keepAliveShare) > Math.floor((n - 1) * keepAliveShare) ? 'keptAlive' : 'fresh';
  }

  /** Closes a replaced kept-alive connection once its last request is done, never under one. */
  function closeIfDone(connection: KeptAlive): void {
    if (connection.retired && connection.open === 0) connection.agent.destroy();
  }

  async function keptAliveConnection(client: VirtualClient): Promise<KeptAlive> {
    const current = client.keptAlive;
    if (current !== undefined && performance.now() - current.openedAt < keepAliveMaxMs) return current;
    const answer = await client.dns.resolve(url.hostname);
    // Another request of this client may have replaced it while this one resolved.
    if (client.keptAlive !== current && client.keptAlive !== undefined) return client.keptAlive;
    if (current !== undefined) {
      current.retired = true;
      closeIfDone(current);
    }
    const replacement: KeptAlive = {
      agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
      answer,
      openedAt: performance.now(),
      open: 0,
      retired: false,
    };
    client.keptAlive = replacement;
    return replacement;
  }

  function exchange(
    answer: Answer,
    agent: http.Agent | false,
  ): Promise<Omit<RequestRecord, 'client' | 'lane' | 'sentAt' | 'answer'>> {
    return new Promise((resolve) => {
      const request = http.request({
        host: answer.address,
        port,
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host },
        agent,
      });
      const timer = setTimeout(
        () => request.destroy(new Error(`no response within ${timeoutMs} ms`)),
        timeoutMs,
      );
      request.on('response', (response: IncomingMessage) => {
        const header = response.headers[options.servedByHeader.toLowerCase()];
        const servedBy = Array.isArray(header) ? header[0] : header;
        response.on('error', (error) => {
          clearTimeout(timer);
          resolve({ ...(servedBy !== undefined && { servedBy }), error: error.message });
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ ...(servedBy !== undefined && { servedBy }), status: response.statusCode ?? 0 });
        });
        response.resume();
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        resolve({ error: error.message });
      });
      request.end();
    });
  }

  async function send(client: VirtualClient, lane: ClientLane): Promise<void> {
    const sentAt = Date.now();
    let answer: Answer | undefined;
    try {
      if (lane === 'fresh') {
        answer = await client.dns.resolve(url.hostname);
        // No agent: a connection of its own, closed after the response.
        const outcome = await exchange(answer, false);
        records.push({ client: client.index, lane, sentAt, answer, ...outcome });
        return;
      }
      const connection = await keptAliveConnection(client);
      answer = connection.answer;
      connection.open++;
      try {
        const outcome = await exchange(answer, connection.agent);
        records.push({ client: client.index, lane, sentAt, answer, ...outcome });
      } finally {
        connection.open--;
        closeIfDone(connection);
      }
    } catch (error) {
      records.push({
        client: client.index,
        lane,
        sentAt,
        ...(answer !== undefined && { answer }),
        error: `dns: ${(error as Error).message}`,
      });
    }
  }

  /** Sends what the rate has made due since the start, each request from the next client in turn. */
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * options.ratePerSecond) / 1000) + 1 - attempted;
    for (let i = 0; i < due; i++) {
      const client = population[attempted % population.length];
      attempted++;
      if (client === undefined) continue;
      client.sent++;
      const pending = send(client, laneOf(client));
      open.add(pending);
      void pending.finally(() => open.delete(pending));
    }
  }, tickMs);

  return {
    records,
    async stop() {
      clearInterval(timer);
      await Promise.all(open);
      for (const client of population) client.keptAlive?.agent.destroy();
      return records;
    },
  };
}
