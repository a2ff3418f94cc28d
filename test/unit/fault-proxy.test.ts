import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../env/fault-proxy.js';
import { seededRandom } from '../env/seeded-random.js';

/** Answers every request with what it received, so tests can see what the proxy forwarded. */
let upstream: Server;
let upstreamUrl: string;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const signedFor = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
});

/** Returns the given draws in order, so each test decides exactly which calls fail. */
const draws = (...values: number[]) => {
  let i = 0;
  return () => {
    const value = values[i++];
    if (value === undefined) throw new Error('test drew more random numbers than it planned');
    return value;
  };
};

describe('fault proxy', () => {
  it('forwards method, path, headers and body unchanged when no fault is drawn', async () => {
    proxy = await startFaultProxy(upstreamUrl, { throttleShare: 0.5 }, draws(0.9));
    const response = await fetch(`${proxy.url}/2013-04-01/hostedzone?x=1`, {
      method: 'POST',
      headers: { ...signedFor('route53'), 'x-custom': 'kept' },
      body: '<xml/>',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-upstream')).toBe('yes');
    const seen = (await response.json()) as {
      method: string;
      url: string;
      headers: IncomingHttpHeaders;
      body: string;
    };
    expect(seen).toMatchObject({ method: 'POST', url: '/2013-04-01/hostedzone?x=1', body: '<xml/>' });
    expect(seen.headers['x-custom']).toBe('kept');
    expect(proxy.counts).toEqual({ forwarded: 1, throttled: 0, serverErrors: 0, delayed: 0 });
  });

  it('throttles with an XML ErrorResponse for XML services and x-amzn-ErrorType for JSON ones', async () => {
    proxy = await startFaultProxy(upstreamUrl, { throttleShare: 1 });
    const route53 = await fetch(`${proxy.url}/`, { headers: signedFor('route53') });
    expect(route53.status).toBe(400);
    expect(await route53.text()).toMatch(
      /^<ErrorResponse><Error><Type>Sender<\/Type><Code>Throttling<\/Code>/,
    );

    const ec2 = await fetch(`${proxy.url}/`, { headers: signedFor('ec2') });
    expect(await ec2.text()).toMatch(/^<Response><Errors><Error>.*<Code>Throttling<\/Code>/);

    const eks = await fetch(`${proxy.url}/clusters`, { headers: signedFor('eks') });
    expect(eks.status).toBe(400);
    expect(eks.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    expect(proxy.counts).toMatchObject({ throttled: 3, forwarded: 0 });
  });

  it('splits calls between throttling, server errors and forwarding by the drawn share', async () => {
    proxy = await startFaultProxy(
      upstreamUrl,
      { throttleShare: 0.2, serverErrorShare: 0.3 },
      draws(0.1, 0.3, 0.6),
    );
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await fetch(`${proxy.url}/`, { headers: signedFor('route53') })).status);
    expect(statuses).toEqual([400, 503, 201]);
    expect(proxy.counts).toEqual({ forwarded: 1, throttled: 1, serverErrors: 1, delayed: 0 });
  });

  it('delays the share of calls chosen for latency and still forwards them', async () => {
    proxy = await startFaultProxy(
      upstreamUrl,
      { latencyShare: 0.5, latencyMs: 150 },
      draws(0.9, 0.4, 0.9, 0.6),
    );
    const delayed = await timed(() => fetch(`${proxy?.url}/`));
    const direct = await timed(() => fetch(`${proxy?.url}/`));
    expect(delayed.status).toBe(201);
    expect(direct.status).toBe(201);
    expect(delayed.ms).toBeGreaterThanOrEqual(150);
    expect(proxy.counts).toEqual({ forwarded: 2, throttled: 0, serverErrors: 0, delayed: 1 });
  });

  it('leaves services outside the plan alone', async () => {
    proxy = await startFaultProxy(upstreamUrl, { throttleShare: 1, services: ['eks'] });
    expect((await fetch(`${proxy.url}/`, { headers: signedFor('route53') })).status).toBe(201);
    expect((await fetch(`${proxy.url}/clusters`, { headers: signedFor('eks') })).status).toBe(400);
    expect(proxy.counts).toMatchObject({ forwarded: 1, throttled: 1 });
  });

  it('refuses a plan whose shares do not make sense', async () => {
    await expect(startFaultProxy(upstreamUrl, { throttleShare: 0.7, serverErrorShare: 0.5 })).rejects.toThrow(
      /add up to at most 1/,
    );
    proxy = await startFaultProxy(upstreamUrl);
    expect(() => proxy?.setPlan({ latencyShare: 2 })).toThrow(/0\.\.1/);
  });
});

async function timed(call: () => Promise<Response>): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const response = await call();
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - start };
}

describe('seededRandom', () => {
  it('draws the same numbers in [0, 1) for the same seed, and others for another seed', () => {
    const take = (seed: number) => Array.from({ length: 50 }, seededRandom(seed));
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
    expect(take(1).every((n) => n >= 0 && n < 1)).toBe(true);
    // Spread out, not stuck: a 15 % share is hit within the first ten draws of seed 1.
    expect(
      take(1)
        .slice(0, 10)
        .some((n) => n < 0.15),
    ).toBe(true);
  });
});
