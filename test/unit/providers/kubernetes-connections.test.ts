import { type Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  createKubeConnections,
  maxConnectionsPerCluster,
} from '../../../src/providers/kubernetes/connections.js';

/** A KubeConfig for one cluster; `user` decides the client certificate it presents. */
function kubeConfig(
  options: { server?: string; user?: string; proxyUrl?: string; skipTLSVerify?: boolean } = {},
): KubeConfig {
  const config = new KubeConfig();
  const certData = Buffer.from(`cert of ${options.user ?? 'alice'}`).toString('base64');
  config.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: options.server ?? 'https://127.0.0.1:6443',
        caData: Buffer.from('a CA').toString('base64'),
        skipTLSVerify: options.skipTLSVerify ?? false,
        ...(options.proxyUrl ? { proxyUrl: options.proxyUrl } : {}),
      },
    ],
    users: [{ name: 'u', certData, keyData: certData }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return config;
}

/** The agent the library would use for a request made with this KubeConfig. */
async function agentOf(config: KubeConfig): Promise<unknown> {
  const options: { agent?: unknown } = {};
  await config.applyToHTTPSOptions(options);
  return options.agent;
}

describe('shared Kubernetes connections', () => {
  it('gives every request to one cluster with the same credentials the same agent', async () => {
    const connections = createKubeConnections();
    const first = connections.share(kubeConfig());
    // Another KubeConfig object for the same cluster and user (e.g. a second platform's) shares it too.
    const second = connections.share(kubeConfig());
    const agent = await agentOf(first);
    expect(await agentOf(first)).toBe(agent);
    expect(await agentOf(second)).toBe(agent);
    // A session cache: what makes later connections cheap.
    expect((agent as { maxCachedSessions?: number }).maxCachedSessions).toBeGreaterThan(0);
    expect(connections.size).toBe(1);
    connections.close();
  });

  it('keeps clusters and credentials apart', async () => {
    const connections = createKubeConnections();
    const alice = await agentOf(connections.share(kubeConfig()));
    const bob = await agentOf(connections.share(kubeConfig({ user: 'bob' })));
    const other = await agentOf(connections.share(kubeConfig({ server: 'https://127.0.0.2:6443' })));
    expect(new Set([alice, bob, other]).size).toBe(3);
    expect(connections.size).toBe(3);
    connections.close();
    expect(connections.size).toBe(0);
  });

  it('leaves a cluster behind a proxy to the library, and an unshared KubeConfig as it was', async () => {
    const connections = createKubeConnections();
    const proxied = connections.share(kubeConfig({ proxyUrl: 'http://127.0.0.1:3128' }));
    expect(await agentOf(proxied)).not.toBe(await agentOf(proxied));
    const plain = kubeConfig();
    expect(await agentOf(plain)).not.toBe(await agentOf(plain));
    expect(connections.size).toBe(0);
  });

  it('still refuses plain HTTP without skipTLSVerify, as the library does', async () => {
    const connections = createKubeConnections();
    const config = connections.share(kubeConfig({ server: 'http://127.0.0.1:8080' }));
    await expect(agentOf(config)).rejects.toThrow(/HTTP protocol is not allowed/);
  });
});

describe('connections to one cluster', () => {
  it('opens at most maxConnectionsPerCluster at a time; the rest wait and are all answered', async () => {
    let open = 0;
    let peak = 0;
    const server = createServer((_request, response) => {
      // Answer a little later, so requests pile up while connections are open.
      setTimeout(() => response.end('{}'), 20);
    });
    server.on('connection', (socket) => {
      peak = Math.max(peak, ++open);
      socket.on('close', () => open--);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const connections = createKubeConnections();
    const config = connections.share(kubeConfig({ server: `http://127.0.0.1:${port}`, skipTLSVerify: true }));
    const get = async () => {
      const options: { agent?: Agent } = {};
      await config.applyToHTTPSOptions(options);
      return new Promise<number>((resolve, reject) => {
        request(`http://127.0.0.1:${port}/api`, { agent: options.agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
    };
    const statuses = await Promise.all(Array.from({ length: maxConnectionsPerCluster * 3 }, get));
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(peak).toBeLessThanOrEqual(maxConnectionsPerCluster);
    expect(peak).toBeGreaterThan(1);
    connections.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
