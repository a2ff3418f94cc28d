import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscoveryApi, listPages } from '../../../src/providers/kubernetes/deprecations/live.js';

const appsV1 = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'apps/v1',
  resources: [
    {
      name: 'deployments',
      singularName: 'deployment',
      kind: 'Deployment',
      namespaced: true,
      verbs: ['list'],
    },
    { name: 'daemonsets', singularName: 'daemonset', kind: 'DaemonSet', namespaced: true, verbs: ['list'] },
  ],
};

/** An API server on loopback that serves apps/v1's discovery (after `failFirst` 503s) and empty lists. */
async function apiServer(failFirst = 0): Promise<{ server: Server; url: string; asked: string[] }> {
  const asked: string[] = [];
  let failures = failFirst;
  const server = createServer((request, response) => {
    asked.push(request.url ?? '');
    response.setHeader('content-type', 'application/json');
    if (request.url === '/apis/apps/v1') {
      if (failures-- > 0) {
        response.statusCode = 503;
        response.end(JSON.stringify({ kind: 'Status', message: 'unavailable' }));
        return;
      }
      response.end(JSON.stringify(appsV1));
      return;
    }
    response.end(JSON.stringify({ kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: {}, items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

function discovery(url: string): DiscoveryApi {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return config.makeApiClient(DiscoveryApi);
}

let running: Server | undefined;
afterEach(() => running?.close());

describe("the removed-API scan's discovery", () => {
  it('asks each group/version once, however many look it up at once, and lists through the same answer', async () => {
    const { server, url, asked } = await apiServer();
    running = server;
    const api = discovery(url);
    const [deployment, daemonSet, missing, all] = await Promise.all([
      api.kindResource('apps/v1', 'Deployment'),
      api.kindResource('apps/v1', 'DaemonSet'),
      api.kindResource('apps/v1', 'PodSecurityPolicy'),
      api.resourcesOf('apps/v1'),
    ]);
    expect(deployment?.name).toBe('deployments');
    expect(daemonSet?.name).toBe('daemonsets');
    expect(missing).toBeUndefined();
    expect(all.map((r) => r.kind)).toEqual(['Deployment', 'DaemonSet']);
    // A kind the version does not serve is not asked about again either.
    expect(await api.kindResource('apps/v1', 'PodSecurityPolicy')).toBeUndefined();
    expect(await listPages(api, 'apps/v1', 'Deployment', undefined)).toEqual([]);
    expect(asked.filter((path) => path === '/apis/apps/v1')).toHaveLength(1);
    expect(asked.some((path) => path.startsWith('/apis/apps/v1/deployments'))).toBe(true);
  });

  it('asks again after a failed lookup', async () => {
    const { server, url, asked } = await apiServer(1);
    running = server;
    const api = discovery(url);
    await expect(api.kindResource('apps/v1', 'Deployment')).rejects.toThrow();
    expect((await api.kindResource('apps/v1', 'Deployment'))?.name).toBe('deployments');
    expect(asked.filter((path) => path === '/apis/apps/v1')).toHaveLength(2);
  });
});
