import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import { probeDns } from '../../../src/providers/kubernetes/health/dns.js';
import { createClusterHealth, defaultEksFoundation } from '../../../src/providers/kubernetes/health/index.js';
import { kubeError } from '../../../src/providers/kubernetes/health/kube-client.js';
import type { ComponentSpec } from '../../../src/providers/kubernetes/health/spec.js';

/**
 * A tiny DNS server: "coredns.test" has an A record, "v6only.test" answers with no records,
 * "broken.test" answers SERVFAIL, anything else NXDOMAIN.
 */
function answer(query: Buffer): Buffer {
  let end = 12;
  const labels: string[] = [];
  while (query[end] !== 0 && end < query.length) {
    const length = query[end] ?? 0;
    labels.push(query.subarray(end + 1, end + 1 + length).toString());
    end += length + 1;
  }
  const question = query.subarray(12, end + 5);
  const qtype = query.readUInt16BE(end + 1);
  const name = labels.join('.');
  const rcode = name === 'broken.test' ? 2 : name === 'coredns.test' || name === 'v6only.test' ? 0 : 3;
  const records = name === 'coredns.test' && qtype === 1 ? [[10, 100, 0, 10]] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(30, 6);
    rr.writeUInt16BE(4, 10);
    Buffer.from(ip).copy(rr, 12);
    return rr;
  });
  return Buffer.concat([header, question, ...answers]);
}

let dnsServer: Socket;
let dnsAddress: string;
beforeAll(async () => {
  dnsServer = createSocket('udp4');
  dnsServer.on('message', (message, remote) => {
    dnsServer.send(answer(message), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => dnsServer.bind(0, '127.0.0.1', resolve));
  dnsAddress = `127.0.0.1:${dnsServer.address().port}`;
});
afterAll(() => new Promise<void>((resolve) => dnsServer.close(() => resolve())));

describe('probeDns', () => {
  const dns: ComponentSpec = {
    name: 'dns',
    kind: 'Deployment',
    namespace: 'kube-system',
    workload: 'coredns',
  };

  it('passes when the name resolves through the given server', async () => {
    const result = await probeDns(dns, { host: 'coredns.test', server: dnsAddress });
    expect(result).toEqual({
      name: 'dns-lookup/dns',
      verdict: 'pass',
      evidence: `coredns.test resolved via ${dnsAddress} to 10.100.0.10`,
    });
  });

  it.each([
    ['missing.test', 'name does not exist'],
    ['v6only.test', 'name has no address records'],
    ['broken.test', 'server failed to answer (SERVFAIL)'],
  ])('fails when the server answers that %s does not resolve', async (host, reason) => {
    const result = await probeDns(dns, { host, server: dnsAddress });
    expect(result).toEqual({
      name: 'dns-lookup/dns',
      verdict: 'fail',
      evidence: `${host} did not resolve via ${dnsAddress}: ${reason}`,
    });
  });

  it('is inconclusive when no server answers at all', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const server = `127.0.0.1:${silent.address().port}`;
    try {
      const result = await probeDns(dns, { host: 'coredns.test', server, timeoutMs: 200 });
      expect(result).toMatchObject({
        verdict: 'inconclusive',
        evidence: expect.stringContaining('no answer'),
      });
    } finally {
      silent.close();
    }
  });

  it('fails on a server address that is not one', async () => {
    const result = await probeDns(dns, { host: 'coredns.test', server: 'not an address' });
    expect(result).toMatchObject({ verdict: 'fail', evidence: expect.stringContaining('bad DNS server') });
  });
});

describe('kubeError', () => {
  const cluster = { name: 'shop-green' };
  const status = (code: number, message: string) =>
    new ApiException(code, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', message }), {});

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [401, false],
    [403, false],
    [422, false],
  ])('HTTP %i → retryable %s', (code, retryable) => {
    const error = kubeError(cluster, 'list nodes', status(code, 'nope'));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.retryable).toBe(retryable);
  });

  it('names the cluster, the action and the apiserver message', () => {
    const error = kubeError(
      cluster,
      'read Deployment kube-system/coredns (dns)',
      status(403, 'deployments.apps "coredns" is forbidden: User "ci" cannot get resource "deployments"'),
    );
    expect(error.message).toBe(
      'cluster shop-green: cannot read Deployment kube-system/coredns (dns): access denied (403 Forbidden): ' +
        'deployments.apps "coredns" is forbidden: User "ci" cannot get resource "deployments"',
    );
  });

  it('treats unreachable networks as retryable', () => {
    const unreachable = Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' });
    expect(kubeError(cluster, 'list nodes', unreachable).retryable).toBe(true);
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(kubeError(cluster, 'list nodes', tls).retryable).toBe(false);
  });
});

function kubeconfigFor(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return config;
}

describe('createClusterHealth against an apiserver answering with an error status', () => {
  let statusCode = 503;
  const apiserver = createHttpServer((_request, response) => {
    response.writeHead(statusCode, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        message: `status ${statusCode}`,
        code: statusCode,
      }),
    );
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => apiserver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(apiserver.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => apiserver.close(() => resolve())));

  it.each([
    [503, true, 'HTTP 503: status 503'],
    [429, true, 'throttled (429 Too Many Requests): status 429'],
    [403, false, 'access denied (403 Forbidden): status 403'],
  ])('HTTP %i → ProviderError, retryable %s', async (code, retryable, detail) => {
    statusCode = code;
    const health = createClusterHealth({
      access: () => kubeconfigFor(url),
      foundation: defaultEksFoundation,
    });
    await expect(
      health.qualifyFoundation({
        green: { name: 'shop-green' },
        blue: { name: 'shop-blue' },
        targetVersion: '1.33',
      }),
    ).rejects.toMatchObject({
      name: 'ProviderError',
      retryable,
      message: expect.stringMatching(
        new RegExp(`^cluster shop-green: cannot .*: ${detail.replace(/[()]/g, '\\$&')}$`),
      ),
    });
  });
});

describe('createClusterHealth against a server that never answers', () => {
  let silent: Server;
  let port: number;
  beforeAll(async () => {
    // Reads and ignores everything (so it notices when the client hangs up), never answers.
    silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  it('gives up after the request timeout with a retryable ProviderError', async () => {
    const access = () => kubeconfigFor(`https://127.0.0.1:${port}`);
    const health = createClusterHealth({
      access,
      foundation: defaultEksFoundation,
      services: { namespaces: ['shop'] },
      requestTimeoutMs: 300,
    });
    const started = Date.now();
    const failure = health.readyForTraffic({ name: 'shop-green' });
    await expect(failure).rejects.toMatchObject({
      name: 'ProviderError',
      retryable: true,
      message: 'cluster shop-green: cannot list Deployments in namespace shop: no answer within 300 ms',
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports credentials that cannot be loaded as a non-retryable ProviderError', async () => {
    const health = createClusterHealth({
      access: () => {
        throw new Error('kubeconfig /nope has no context "green"');
      },
      foundation: defaultEksFoundation,
    });
    await expect(
      health.qualifyFoundation({ green: { name: 'g' }, blue: { name: 'b' }, targetVersion: '1.31' }),
    ).rejects.toMatchObject({
      retryable: false,
      message: 'cluster g: cannot load its credentials: kubeconfig /nope has no context "green"',
    });
  });
});
