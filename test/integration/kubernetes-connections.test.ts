import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import {
  createKubeConnections,
  maxConnectionsPerCluster,
} from '../../src/providers/kubernetes/connections.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { describeWithServers, testEnvironment } from './environment.js';

describeWithServers('shared Kubernetes connections against a real kube-apiserver', () => {
  const env = testEnvironment();

  it('answers many concurrent requests of several platforms through one agent, every body whole', async () => {
    const connections = createKubeConnections();
    // Two platforms' KubeConfigs for the same cluster, as two platform files naming one context give.
    const configs = [0, 1].map(() =>
      connections.share(loadKubeConfig({ path: env.kubeconfigPath, context: 'green' })),
    );
    const calls = Array.from({ length: 120 }, (_, i) => {
      const config = configs[i % 2] ?? configs[0];
      if (config === undefined) throw new Error('no config');
      // Chunked list answers are where a reused socket once cut bodies short.
      return i % 3 === 0
        ? config.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'kube-system' })
        : config.makeApiClient(CoreV1Api).listNamespace();
    });
    const results = await Promise.allSettled(calls);
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failed).toEqual([]);
    expect(connections.size).toBe(1);
    // The answers came over kept-alive connections, never more at once than the bound.
    expect(connections.opened).toBeLessThanOrEqual(maxConnectionsPerCluster);
    // Requests one after another (a pass's reads) take no new connection at all.
    const before = connections.opened;
    for (let i = 0; i < 10; i++) await configs[0]?.makeApiClient(CoreV1Api).listNamespace();
    expect(connections.opened).toBe(before);
    // One TLS context (from the kubeconfig's CA and client certificate) for all of them.
    const options: { agent?: { options?: { secureContext?: unknown } } } = {};
    await configs[0]?.applyToHTTPSOptions(options);
    expect(options.agent?.options?.secureContext).toBeDefined();
    connections.close();
  });
});
