/**
 * One step's probe: requests to the platform's public URL at a steady rate, some on connections kept
 * alive in a pool (which stay on the address they were opened to, as real clients' do), the rest each
 * on a new connection (resolved again, through the cache, every time). Each outcome is counted by the
 * side that served it, named by the served-by header.
 */
import { randomUUID } from 'node:crypto';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ProbeSpec } from '../../domain/plan.js';
import type { ProbePart, ProbeReading, ServingSide } from '../../domain/probe.js';
import { type AddressLookup, connectionLookup } from './lookup.js';
import { type Lane, type Outcome, ProbeTally } from './tally.js';

export interface ProberOptions {
  readonly spec: ProbeSpec;
  readonly clusters: { readonly blue: string; readonly green: string };
  readonly part: ProbePart;
  readonly addresses: AddressLookup;
  readonly log?: Logger;
}

/** Kept-alive connections a probe holds open at most: a few, like one client's pool. */
const keptAliveSockets = 4;
/** Requests open at once at most; a tick past it sends nothing (a stuck platform is not piled on). */
const maxInFlight = 256;
/**
 * How often the sender wakes: once per request due, but at least every 100 ms and at most every 10 ms
 * (a fast rate sends several per wake). It sends what the rate says is due since the start.
 */
function tickMs(ratePerSecond: number): number {
  return Math.min(100, Math.max(10, 1000 / ratePerSecond));
}

export class Prober {
  readonly life = randomUUID();
  readonly startedAt = new Date().toISOString();
  private part: ProbePart;
  private readonly tally = new ProbeTally();
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly inFlight = new Set<ClientRequest>();
  /** The side each kept-alive socket last answered from: a later failure on it is that side's. */
  private readonly socketSide = new WeakMap<Socket, ServingSide>();
  /** The side each address last answered from: a failed new connection to it is that side's. */
  private readonly addressSide = new Map<string, ServingSide>();
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private attempted = 0;
  private lastFailure: string | undefined;
  private stopped = false;

  constructor(private readonly options: ProberOptions) {
    this.part = options.part;
    this.url = new URL(options.spec.url);
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: keptAliveSockets });
  }

  start(): void {
    this.timer = setInterval(() => this.sendDue(), tickMs(this.options.spec.ratePerSecond));
  }

  /** From now on, requests count as sent after the router confirmed the step's weight. */
  verified(): void {
    this.part = 'bake';
  }

  reading(): ProbeReading {
    return {
      life: this.life,
      startedAt: this.startedAt,
      counts: this.tally.snapshot(),
      ...(this.lastFailure !== undefined && { lastFailure: this.lastFailure }),
    };
  }

  /** Stops sending, abandons open requests (uncounted) and closes every socket; resolves when they are. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    const closed = [...this.inFlight].map(
      (request) => new Promise<void>((resolve) => request.once('close', () => resolve())),
    );
    for (const request of this.inFlight) request.destroy();
    this.agent.destroy();
    await Promise.all(closed);
  }

  /** Sends the requests the rate has made due since the start; a late tick catches up, within limits. */
  private sendDue(): void {
    const elapsedMs = performance.now() - this.started;
    const due = Math.floor((elapsedMs * this.options.spec.ratePerSecond) / 1000) + 1 - this.attempted;
    for (let i = 0; i < Math.min(due, this.options.spec.ratePerSecond); i++) {
      this.attempted++;
      if (this.inFlight.size >= maxInFlight) continue;
      this.send(this.laneOf(this.attempted));
    }
  }

  /** Spreads kept-alive requests evenly: request n is kept-alive when it brings the share up a whole one. */
  private laneOf(n: number): Lane {
    const share = this.options.spec.keepAliveShare;
    return Math.floor(n * share) > Math.floor((n - 1) * share) ? 'keptAlive' : 'fresh';
  }

  private send(lane: Lane): void {
    const { spec } = this.options;
    const part = this.part;
    const began = performance.now();
    let chosenAddress: string | undefined;
    let settled = false;
    const settle = (outcome: Outcome) => {
      clearTimeout(timeout);
      if (settled || this.stopped) return;
      settled = true;
      this.tally.record(lane, part, outcome);
      if (outcome.kind === 'response' && (outcome.status < 200 || outcome.status >= 300))
        this.lastFailure = `${outcome.side}: HTTP ${outcome.status}`;
    };
    const get = this.url.protocol === 'https:' ? https.request : http.request;
    const request = get(this.url, {
      method: 'GET',
      agent: lane === 'keptAlive' ? this.agent : false,
      lookup: connectionLookup(this.options.addresses, (address) => {
        chosenAddress = address;
      }),
      headers: { 'user-agent': 'switchyard-probe', ...(lane === 'fresh' && { connection: 'close' }) },
    });
    this.inFlight.add(request);
    const timeout = setTimeout(
      () => request.destroy(new Error(`no response within ${spec.timeoutMs} ms`)),
      spec.timeoutMs,
    );
    request.on('close', () => {
      this.inFlight.delete(request);
      clearTimeout(timeout);
    });
    request.on('response', (response: IncomingMessage) => {
      const side = this.sideNamed(response.headers[spec.servedByHeader.toLowerCase()]);
      const socket = response.socket;
      this.socketSide.set(socket, side);
      if (socket.remoteAddress !== undefined) this.addressSide.set(socket.remoteAddress, side);
      response.on('error', () => settle({ kind: 'connection-error', side }));
      response.on('end', () =>
        settle({ kind: 'response', status: response.statusCode ?? 0, side, ms: performance.now() - began }),
      );
      response.resume();
    });
    request.on('error', (error) => {
      const socket = request.socket;
      const address = chosenAddress ?? socket?.remoteAddress;
      const side =
        (socket ? this.socketSide.get(socket) : undefined) ??
        (address === undefined ? undefined : this.addressSide.get(address)) ??
        'unknown';
      this.options.log?.debug({ err: error, side, lane }, 'probe request failed');
      if (!settled && !this.stopped) this.lastFailure = `${side}: ${error.message}`;
      settle({ kind: 'connection-error', side });
    });
    request.end();
  }

  private sideNamed(value: string | string[] | undefined): ServingSide {
    const name = Array.isArray(value) ? value[0] : value;
    if (name === this.options.clusters.blue) return 'blue';
    if (name === this.options.clusters.green) return 'green';
    return 'unknown';
  }
}
