import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscoveryApi } from '../../../src/providers/kubernetes/deprecations/discovery.js';
import { listPages, objectSightings } from '../../../src/providers/kubernetes/deprecations/live.js';

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

/** What a 1.30 API server answers on /apis and /api to an aggregated discovery request. */
const aggregatedApis = {
  kind: 'APIGroupDiscoveryList',
  apiVersion: 'apidiscovery.k8s.io/v2',
  items: [
    {
      metadata: { name: 'apps' },
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'deployments',
              responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
              scope: 'Namespaced',
              singularResource: 'deployment',
              verbs: ['get', 'list'],
              subresources: [{ subresource: 'status', verbs: ['get'] }],
            },
          ],
        },
      ],
    },
  ],
};
const aggregatedCore = {
  kind: 'APIGroupDiscoveryList',
  apiVersion: 'apidiscovery.k8s.io/v2',
  items: [
    {
      metadata: {},
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'nodes',
              responseKind: { group: '', version: 'v1', kind: 'Node' },
              scope: 'Cluster',
              singularResource: 'node',
              verbs: ['list'],
            },
          ],
        },
      ],
    },
  ],
};

/** An API server on loopback that serves apps/v1's discovery (after `failFirst` 503s) and empty lists. */
async function apiServer(
  failFirst = 0,
  aggregated = false,
): Promise<{ server: Server; url: string; asked: string[]; accepted: string[] }> {
  const asked: string[] = [];
  const accepted: string[] = [];
  let failures = failFirst;
  const server = createServer((request, response) => {
    asked.push(request.url ?? '');
    accepted.push(request.headers.accept ?? '');
    response.setHeader('content-type', 'application/json');
    if (aggregated && (request.url === '/api' || request.url === '/apis')) {
      response.end(JSON.stringify(request.url === '/apis' ? aggregatedApis : aggregatedCore));
      return;
    }
    if (request.url === '/apis/apps/v1') {
      if (failures-- > 0) {
        response.statusCode = 503;
        response.end(JSON.stringify({ kind: 'Status', message: 'unavailable' }));
        return;
      }
      response.end(JSON.stringify(appsV1));
      return;
    }
    // What an API server answers to a metadata-only list, one page after another.
    const second = request.url?.includes('continue=next');
    const metadata = {
      name: second ? 'api' : 'web',
      namespace: 'shop',
      managedFields: [{ manager: 'ci', apiVersion: 'apps/v1beta2', time: '2031-01-01T00:00:00Z' }],
    };
    response.end(
      JSON.stringify({
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: second ? {} : { continue: 'next' },
        items: [{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, accepted };
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
    expect(asked.filter((path) => path === '/apis/apps/v1')).toHaveLength(1);
  });

  it('lists metadata only, every page, as plain JSON a sighting can read', async () => {
    const { server, url, asked, accepted } = await apiServer();
    running = server;
    const items = await listPages(discovery(url), 'apps/v1', 'Deployment', undefined);
    expect(items.map((item) => item.metadata?.name)).toEqual(['web', 'api']);
    const lists = asked.flatMap((path, i) => (path.startsWith('/apis/apps/v1/deployments') ? [i] : []));
    expect(lists.map((i) => asked[i])).toEqual([
      '/apis/apps/v1/deployments?limit=500',
      '/apis/apps/v1/deployments?limit=500&continue=next',
    ]);
    for (const i of lists) expect(accepted[i]).toContain('as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    const served = new Set(['apps/v1', 'apps/v1beta2']);
    expect(objectSightings(items[0] as never, 'Deployment', 'apps/v1', false, served)).toEqual([
      {
        object: { kind: 'Deployment', name: 'web', namespace: 'shop', apiVersion: 'apps/v1beta2' },
        source: 'live',
        detail: 'field manager ci wrote apps/v1beta2 at 2031-01-01T00:00:00Z',
      },
    ]);
  });

  it('reads every group/version from the aggregated documents in two requests when the server has them', async () => {
    const { server, url, asked, accepted } = await apiServer(0, true);
    running = server;
    const api = discovery(url);
    const [deployment, node, missing] = await Promise.all([
      api.kindResource('apps/v1', 'Deployment'),
      api.kindResource('v1', 'Node'),
      api.kindResource('apps/v1', 'DaemonSet'),
    ]);
    expect(deployment).toMatchObject({ name: 'deployments', namespaced: true, verbs: ['get', 'list'] });
    expect(node).toMatchObject({ name: 'nodes', namespaced: false });
    expect(missing).toBeUndefined();
    expect(await listPages(api, 'apps/v1', 'Deployment', undefined)).toHaveLength(2);
    expect(asked.filter((path) => !path.includes('?'))).toEqual(['/api', '/apis']);
    expect(accepted[asked.indexOf('/apis')]).toContain('g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
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
