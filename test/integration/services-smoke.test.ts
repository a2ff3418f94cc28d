import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import {
  createServiceDeployer,
  type ServicesSpec,
  type SmokeProbe,
} from '../../src/providers/kubernetes/services/index.js';
import { describeWithServers, testEnvironment } from './environment.js';

const green: ClusterRef = { name: 'green' };

describeWithServers('Kubernetes service deployer: smoke probes', () => {
  const env = testEnvironment();
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  let server: Server;
  let base: string;
  let flakyCalls = 0;
  const sleeps: number[] = [];

  beforeAll(async () => {
    // A stand-in for green's ingress: routes by Host header, like a load balancer in front of many services.
    server = createServer((request, response) => {
      const host = request.headers.host ?? '';
      const reply = (status: number, body: string) => response.writeHead(status).end(body);
      if (request.url === '/routed') {
        if (host === 'shop.example') return reply(200, 'shop storefront');
        return reply(404, `no route for host ${host}`);
      }
      if (request.url === '/health') return reply(200, '{"status":"ok"}');
      if (request.url === '/down') return reply(503, 'upstream unavailable');
      if (request.url === '/maintenance') return reply(200, 'down for maintenance');
      if (request.url === '/flaky') {
        flakyCalls++;
        return flakyCalls < 3 ? reply(502, 'bad gateway') : reply(200, 'recovered');
      }
      return reply(404, 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const qualify = (
    smoke: SmokeProbe[],
    workloads: ServicesSpec['source'] = { kind: 'external', workloads: [] },
  ) =>
    createServiceDeployer({
      access,
      spec: { source: workloads, smoke },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }).qualify(green);

  it('passes when every probe gets the expected status and body', async () => {
    const result = await qualify([
      { name: 'health', url: `${base}/health`, bodyMatch: '"status":\\s*"ok"' },
      { name: 'gone', url: `${base}/nothing-here`, expectStatus: 404 },
    ]);
    expect(result.verdict).toBe('pass');
    expect(result.checks).toEqual([
      {
        name: 'smoke health',
        verdict: 'pass',
        evidence: `GET ${base}/health: HTTP 200, body matches /"status":\\s*"ok"/ on attempt 1 of 4`,
      },
      {
        name: 'smoke gone',
        verdict: 'pass',
        evidence: `GET ${base}/nothing-here: HTTP 404 on attempt 1 of 4`,
      },
    ]);
  });

  it('fails on a wrong status, with every attempt and the body as evidence', async () => {
    const result = await qualify([{ name: 'down', url: `${base}/down`, retries: 2 }]);
    expect(result.verdict).toBe('fail');
    expect(result.checks[0]?.evidence).toBe(
      `GET ${base}/down: 3 attempt(s) failed (503, 503, 503); last: expected HTTP 200, got 503; body: "upstream unavailable"`,
    );
  });

  it('fails when the body does not match', async () => {
    const result = await qualify([
      { name: 'page', url: `${base}/maintenance`, bodyMatch: 'storefront', retries: 0 },
    ]);
    expect(result).toMatchObject({ verdict: 'fail' });
    expect(result.checks[0]?.evidence).toContain(
      'HTTP 200, but the body does not match /storefront/; body: "down for maintenance"',
    );
  });

  it('sends the Host header, so a host-routed ingress answers for that host', async () => {
    const result = await qualify([
      {
        name: 'routed',
        url: `${base}/routed`,
        hostHeader: 'shop.example',
        bodyMatch: 'storefront',
        retries: 0,
      },
      { name: 'unrouted', url: `${base}/routed`, retries: 0 },
    ]);
    expect(result.checks[0]).toMatchObject({ verdict: 'pass' });
    expect(result.checks[0]?.evidence).toContain('(Host: shop.example): HTTP 200');
    expect(result.checks[1]).toMatchObject({ verdict: 'fail' });
    expect(result.checks[1]?.evidence).toContain('no route for host 127.0.0.1');
  });

  it('retries with a short pause until the service answers', async () => {
    sleeps.length = 0;
    const result = await qualify([{ name: 'flaky', url: `${base}/flaky` }]);
    expect(result.verdict).toBe('pass');
    expect(result.checks[0]?.evidence).toContain('HTTP 200 on attempt 3 of 4 (earlier: 502, 502)');
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('reports a refused connection and a timeout as failed attempts', async () => {
    const silent = createServer(() => {}); // accepts and never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    // A port that was just free: nothing listens there (port 1 would not do, fetch refuses it outright).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      const result = await qualify([
        { name: 'closed', url: closedUrl, retries: 0 },
        { name: 'slow', url: silentUrl, retries: 0, timeoutMs: 200 },
        { name: 'slow-host', url: silentUrl, hostHeader: 'shop.example', retries: 0, timeoutMs: 200 },
      ]);
      expect(result.verdict).toBe('fail');
      expect(result.checks[0]?.evidence).toContain('request failed: fetch failed');
      expect(result.checks[0]?.evidence).toContain('ECONNREFUSED');
      expect(result.checks[1]?.evidence).toContain('request failed: timed out after 200 ms');
      expect(result.checks[2]?.evidence).toContain('request failed: timed out after 200 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('does not probe while a workload has not rolled out', async () => {
    const namespace = `svc-smoke-${randomBytes(3).toString('hex')}`;
    const result = await qualify([{ name: 'health', url: `${base}/health` }], {
      kind: 'external',
      workloads: [{ kind: 'Deployment', namespace, name: 'web' }],
    });
    expect(result.verdict).toBe('inconclusive');
    expect(result.checks).toEqual([
      {
        name: `rollout Deployment ${namespace}/web`,
        verdict: 'inconclusive',
        evidence: 'not found on cluster green',
      },
      {
        name: 'smoke health',
        verdict: 'inconclusive',
        evidence: 'not run: 1 workload rollout(s) have not passed',
      },
    ]);
  });
});
