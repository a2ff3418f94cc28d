/**
 * The traffic probe against real sockets on loopback: two tiny HTTP servers (blue on 127.0.0.2, green
 * on 127.0.0.3, one port) naming themselves in x-served-by, and the DNS stand-in answering the public
 * name with a CNAME and an A record chosen by the weights the test sets.
 */
import { promises as dnsPromises } from 'node:dns';
import { once } from 'node:events';
import http from 'node:http';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeSpec, PromotionPlan } from '../../src/domain/plan.js';
import type { ProbeCounts } from '../../src/domain/probe.js';
import { newPromotion } from '../../src/domain/promotion.js';
import type { StageContext, StageResult } from '../../src/domain/stage.js';
import { cachingLookup } from '../../src/providers/probe/lookup.js';
import { ProbeRegistry } from '../../src/providers/probe/registry.js';
import { shiftTraffic } from '../../stages/shift-traffic.js';
import { type DnsStandIn, startDnsStandIn } from '../env/dns-standin.js';
import { FakeCloud, initialCloud } from '../fakes/fake-cloud.js';
import { testPlan, testPromotion } from '../fakes/promotions.js';

type Mode = 'ok' | '503' | 'close';

interface SideServer {
  mode: Mode;
  readonly server: http.Server;
}

const host = 'shop.example.test';
const clusters = { blue: 'shop-blue', green: 'shop-green' };
const log = pino({ level: 'silent' });

/** A cluster's ingress: answers 200 naming the cluster, 503, or closes the connection unanswered. */
async function sideServer(address: string, port: number, cluster: string): Promise<SideServer> {
  const side: SideServer = {
    mode: 'ok',
    server: http.createServer((request, response) => {
      if (side.mode === 'close') {
        request.socket.destroy();
        return;
      }
      response.writeHead(side.mode === 'ok' ? 200 : 503, { 'x-served-by': cluster });
      response.end('ok');
    }),
  };
  side.server.listen(port, address);
  await once(side.server, 'listening');
  return side;
}

/** Blue and green on one port: the port free on 127.0.0.2 is almost always free on 127.0.0.3 too. */
async function sides(): Promise<{ blue: SideServer; green: SideServer; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const blue = await sideServer('127.0.0.2', 0, clusters.blue);
    const address = blue.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      return { blue, green: await sideServer('127.0.0.3', port, clusters.green), port };
    } catch (error) {
      blue.server.close();
      if (attempt >= 5) throw error;
    }
  }
}

function connections(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  );
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let servers: { blue: SideServer; green: SideServer; port: number };
let dns: DnsStandIn;
/** The weighted records' weights, read by the DNS stand-in on every query. */
let weights: { blue: number; green: number };
let ttlSeconds: number;
let registry: ProbeRegistry;

beforeEach(async () => {
  servers = await sides();
  weights = { blue: 100, green: 0 };
  ttlSeconds = 0;
  dns = await startDnsStandIn({
    ttlSeconds: 0,
    records: (name) =>
      name === host
        ? [
            { id: 'shop-a', weight: weights.blue, cname: 'blue-ingress.example.test', address: '127.0.0.2' },
            {
              id: 'shop-b',
              weight: weights.green,
              cname: 'green-ingress.example.test',
              address: '127.0.0.3',
            },
          ]
        : [],
  });
  registry = new ProbeRegistry({ log });
});

afterEach(async () => {
  await registry.stopAll();
  await dns.close();
  for (const side of [servers.blue, servers.green]) {
    side.server.closeAllConnections();
    side.server.close();
  }
});

/**
 * A DNS stand-in with another TTL than the default 0 (every new connection asks again), answering in
 * its exact rotation or, with 'random', by an independent draw per query.
 */
async function withTtl(seconds: number, choose: 'rotation' | 'random' = 'rotation'): Promise<void> {
  await dns.close();
  ttlSeconds = seconds;
  dns = await startDnsStandIn({
    ttlSeconds,
    choose,
    records: (name) =>
      name === host
        ? [
            { id: 'shop-a', weight: weights.blue, cname: 'blue-ingress.example.test', address: '127.0.0.2' },
            {
              id: 'shop-b',
              weight: weights.green,
              cname: 'green-ingress.example.test',
              address: '127.0.0.3',
            },
          ]
        : [],
  });
}

function spec(overrides: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    url: `http://${host}:${servers.port}/healthz`,
    ratePerSecond: 100,
    servedByHeader: 'x-served-by',
    errorBudget: 0,
    timeoutMs: 2_000,
    keepAliveShare: 0.5,
    resolver: dns.server,
    ...overrides,
  };
}

function startProbe(key: string, probe: ProbeSpec): () => ProbeCounts {
  registry.start({ key, promotionId: key, spec: probe, clusters, part: 'write' });
  return () => {
    const reading = registry.read(key);
    if (reading === undefined) throw new Error(`probe ${key} is not running`);
    return reading.counts;
  };
}

describe('traffic probe on loopback', () => {
  it('counts every request by the side that served it, and the split follows the weights', async () => {
    weights = { blue: 3, green: 1 };
    const counts = startProbe('split', spec({ keepAliveShare: 0 }));
    await until('200 requests', () => counts().sent >= 200);
    const seen = counts();
    expect(seen.sides.blue.ok + seen.sides.green.ok).toBe(seen.sent);
    expect(seen.sides.unknown.ok).toBe(0);
    // The stand-in answers 3 blue to 1 green exactly; requests that shared one answer skew it a little.
    const greenShare = seen.sides.green.ok / seen.sent;
    expect(greenShare).toBeGreaterThan(0.15);
    expect(greenShare).toBeLessThan(0.35);
    // With a TTL of 0 every new connection asked again.
    expect(dns.queries(host)).toBeGreaterThan(seen.sent * 0.5);
    expect(seen.lanes.fresh.sent).toBe(seen.sent);
    expect(seen.latency.reduce((sum, [, n]) => sum + n, 0)).toBe(seen.sent);
  });

  it('keeps an answer for its TTL: new connections follow a weight change once it expires', async () => {
    await withTtl(1);
    const counts = startProbe('ttl', spec({ keepAliveShare: 0, ratePerSecond: 50 }));
    await until('blue serving', () => counts().sides.blue.ok >= 10);
    weights = { blue: 0, green: 100 };
    await until('green serving', () => counts().sides.green.ok >= 10);
    const seen = counts();
    // One question per TTL, not per connection.
    expect(dns.queries(host)).toBeLessThan(seen.sent / 5);
    expect(seen.sides.blue.ok + seen.sides.green.ok).toBe(seen.sent);
  });

  it('spreads new connections over independent caches: each asks once per TTL, together they see the weights', async () => {
    // A long TTL: no cache asks twice during the test. The rotation answers 7 blue to 1 green exactly.
    await withTtl(30);
    weights = { blue: 7, green: 1 };
    const one = startProbe('one', spec({ keepAliveShare: 0, ratePerSecond: 50, resolvers: 1 }));
    await until('40 requests through one cache', () => one().sent >= 40);
    // One cache holds one answer for the whole TTL: the rotation's first, blue's.
    expect(dns.queries(host)).toBe(1);
    expect(one().sides.green.ok).toBe(0);
    await registry.stop('one');

    const eight = startProbe('eight', spec({ keepAliveShare: 0, ratePerSecond: 50, resolvers: 8 }));
    await until('40 requests through eight caches', () => eight().sent >= 40);
    // The next eight answers of the rotation, one per cache: exactly one of them green's.
    expect(dns.queries(host)).toBe(1 + 8);
    const seen = eight();
    expect(seen.sides.blue.ok + seen.sides.green.ok).toBe(seen.sent);
    // Connections take the caches in turn, so one request in eight goes to green (give or take the turn
    // the counts were read at).
    expect(Math.abs(seen.sides.green.ok - seen.sent / 8)).toBeLessThanOrEqual(1);
  });

  it('reaches a 10% green through 16 caches of a server that draws each answer at random', async () => {
    await withTtl(1, 'random');
    weights = { blue: 90, green: 10 };
    const counts = startProbe('random', spec({ keepAliveShare: 0, ratePerSecond: 100, resolvers: 16 }));
    // 16 caches ask about 16 times a second (one cache: once a second, so in the second or so this
    // usually takes one cache has about one draw, and misses green nine times in ten). Every query is
    // an independent draw, green with probability 0.1, and the request that asked goes where it points.
    // Stopping at 200 queries, all but the last few in flight (at most one per cache) have been served:
    // green unseen in at least 184 draws has probability 0.9^184 < 4e-9, far below 1e-6.
    await until(
      'green reached or 200 answers drawn',
      () => counts().sides.green.ok > 0 || dns.queries(host) >= 200,
    );
    expect(counts().sides.green.ok).toBeGreaterThan(0);
    expect(counts().sides.blue.ok).toBeGreaterThan(0);
  });

  it('keeps kept-alive connections on the side they were opened to after DNS moves', async () => {
    // Idle connections are kept a minute, so only the probe decides when one closes.
    for (const side of [servers.blue, servers.green]) side.server.keepAliveTimeout = 60_000;
    // Fast enough that the pool opens all its connections (4) at once.
    const keptAlive = startProbe('kept', spec({ keepAliveShare: 1, ratePerSecond: 400 }));
    await until('the pool open on blue', () => keptAlive().sides.blue.ok >= 100);
    expect(await connections(servers.blue.server)).toBe(4);
    weights = { blue: 0, green: 100 };
    const atSwitch = keptAlive().sent;
    await until('200 more requests', () => keptAlive().sent >= atSwitch + 200);
    expect(keptAlive().sides.green.ok).toBe(0);
    expect(await connections(servers.green.server)).toBe(0);
    expect(keptAlive().lanes.keptAlive.sent).toBe(keptAlive().sent);

    // New connections, meanwhile, go where DNS now points.
    const fresh = startProbe('fresh', spec({ keepAliveShare: 0, ratePerSecond: 50 }));
    await until('20 requests on new connections', () => fresh().sent >= 20);
    expect(fresh().sides.green.ok).toBe(fresh().sent);
    expect(keptAlive().sides.green.ok).toBe(0);
  });

  it('counts a side answering 503 as failed requests of that side', async () => {
    weights = { blue: 1, green: 1 };
    servers.green.mode = '503';
    const counts = startProbe('503', spec());
    await until('100 requests', () => counts().sent >= 100);
    const seen = counts();
    expect(seen.sides.green.non2xx).toBeGreaterThan(0);
    expect(seen.sides.green.ok).toBe(0);
    expect(seen.sides.blue.ok).toBeGreaterThan(0);
    expect(seen.sides.blue.non2xx).toBe(0);
    expect(seen.sides.blue.connectionErrors + seen.sides.green.connectionErrors).toBe(0);
    expect(seen.lanes.fresh.failed + seen.lanes.keptAlive.failed).toBe(seen.sides.green.non2xx);
  });

  it('counts connections a side closes unanswered as connection errors of that side', async () => {
    weights = { blue: 1, green: 1 };
    const counts = startProbe('close', spec());
    await until('green serving', () => counts().sides.green.ok >= 10);
    servers.green.mode = 'close';
    await until('green closing connections', () => counts().sides.green.connectionErrors >= 10);
    const seen = counts();
    expect(seen.sides.blue.connectionErrors).toBe(0);
    expect(seen.sides.unknown.connectionErrors).toBe(0);
    expect(seen.sides.blue.non2xx + seen.sides.green.non2xx).toBe(0);
    expect(registry.read('close')?.lastFailure).toMatch(/^green: /);
  });

  it('fails the traffic step once green has failed more requests than the budget', async () => {
    weights = { blue: 1, green: 1 };
    servers.green.mode = '503';
    const plan: PromotionPlan = { ...testPlan(), probe: spec({ errorBudget: 2 }) };
    const promotion = newPromotion(testPromotion('p-1', plan), new Date());
    const providers = { ...new FakeCloud(initialCloud('shop-blue')).providers(), probes: registry };
    const run = (saved: unknown): Promise<StageResult> =>
      shiftTraffic.run({
        promotion,
        saved,
        providers,
        now: new Date(),
        isApproved: () => false,
      } satisfies StageContext);

    const checked = await run(undefined);
    expect(checked).toMatchObject({
      phase: 'running',
      saved: { part: 'verify', probe: { intended: { before: 0, green: 1 } } },
    });
    expect(registry.size).toBe(1);
    await until('three failures', () => (registry.read('p-1/0')?.counts.sides.green.non2xx ?? 0) >= 3);
    const verified = await run(checked.phase === 'running' ? checked.saved : undefined);
    expect(verified.phase).toBe('failed');
    expect(verified).toMatchObject({
      retryable: false,
      message: expect.stringMatching(
        /^probe: \d+ failed requests of \d+ at 1% to green \(error budget 2\): green: \d+ non-2xx; last: green: HTTP 503$/,
      ),
    });
    expect(registry.size).toBe(0);
  });

  it('leaves no timer or socket of its own open once stopped', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    // The servers keep idle connections for a minute: only the probe's closing ends them here.
    for (const side of [servers.blue, servers.green]) side.server.keepAliveTimeout = 60_000;
    const open = async () =>
      (await connections(servers.blue.server)) + (await connections(servers.green.server));
    const before = timers();
    weights = { blue: 1, green: 1 };
    const counts = startProbe('handles', spec({ timeoutMs: 10_000 }));
    await until('40 requests', () => counts().sent >= 40);
    expect(counts().lanes.keptAlive.sent).toBeGreaterThan(0);
    expect(await open()).toBeGreaterThan(0);
    await registry.stop('handles');
    expect(registry.size).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
    // The client ends are closed; the servers see it once the FIN arrives.
    let stillOpen = await open();
    const deadline = Date.now() + 5_000;
    while (stillOpen > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stillOpen = await open();
    }
    expect(stillOpen).toBe(0);
  });
});

describe('the probe registry', () => {
  it('runs one probe per promotion and stops it once the promotion leaves the traffic shift', async () => {
    weights = { blue: 1, green: 1 };
    const promotion = newPromotion(testPromotion('p-1', testPlan()), new Date());
    const shifting = {
      ...promotion,
      currentStage: 'shift-traffic' as const,
      stages: {
        ...promotion.stages,
        'shift-traffic': { state: 'running' as const, message: '', attempts: 0 },
      },
    };
    const start = (step: number) =>
      registry.start({ key: `p-1/${step}`, promotionId: 'p-1', spec: spec(), clusters, part: 'write' });
    const first = start(0);
    expect(start(0).life).toBe(first.life);
    // The next step's probe replaces the step before's.
    start(1);
    await until('the first step probe stopped', () => registry.read('p-1/0') === undefined);
    expect(registry.size).toBe(1);
    registry.settle(shifting);
    registry.settle({ ...shifting, phase: 'waiting-approval' });
    expect(registry.size).toBe(1);
    registry.settle({ ...shifting, phase: 'paused' });
    expect(registry.size).toBe(0);
  });
});

describe('the caching resolver', () => {
  it('asks the DNS server once per TTL, follows the CNAME to its address, and never asks for an IP', async () => {
    await withTtl(30);
    let now = 1_000_000;
    const addresses = cachingLookup(dns.server, () => now);
    expect(await addresses.lookup(host)).toEqual({ address: '127.0.0.2', family: 4 });
    now += 29_000;
    await addresses.lookup(host);
    expect(dns.queries(host)).toBe(1);
    weights = { blue: 0, green: 100 };
    now += 1_000;
    expect(await addresses.lookup(host)).toEqual({ address: '127.0.0.3', family: 4 });
    expect(dns.queries(host)).toBe(2);
    expect(await addresses.lookup('127.0.0.9')).toEqual({ address: '127.0.0.9', family: 4 });
    expect(dns.queries()).toBe(2);
    await expect(addresses.lookup('nothing.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('the DNS stand-in', () => {
  const ask = async (server: string, times: number) => {
    const resolver = new dnsPromises.Resolver();
    resolver.setServers([server]);
    const answers: string[] = [];
    for (let i = 0; i < times; i++) answers.push(...(await resolver.resolve4(host)));
    return answers;
  };
  const count = (answers: string[], address: string) => answers.filter((a) => a === address).length;

  it('answers in a rotation that gives each record exactly its share of every run of queries', async () => {
    weights = { blue: 3, green: 1 };
    const answers = await ask(dns.server, 8);
    expect([count(answers, '127.0.0.2'), count(answers, '127.0.0.3')]).toEqual([6, 2]);
  });

  it('can draw each answer at random instead, never a record of weight 0', async () => {
    const random = await startDnsStandIn({
      ttlSeconds: 0,
      choose: 'random',
      records: () => [
        { id: 'shop-a', weight: weights.blue, address: '127.0.0.2' },
        { id: 'shop-b', weight: weights.green, address: '127.0.0.3' },
      ],
    });
    try {
      weights = { blue: 1, green: 0 };
      expect(count(await ask(random.server, 20), '127.0.0.2')).toBe(20);
      weights = { blue: 1, green: 1 };
      const answers = await ask(random.server, 200);
      expect(count(answers, '127.0.0.2')).toBeGreaterThan(50);
      expect(count(answers, '127.0.0.3')).toBeGreaterThan(50);
    } finally {
      await random.close();
    }
  });
});
