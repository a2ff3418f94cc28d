import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { createClusterHealth, type FoundationSpec } from '../../src/providers/kubernetes/health/index.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { podFaults } from '../env/faults.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { failOnePod } from './support/pod-faults.js';
import { deploymentReported, deploymentRolledOut } from './support/workload-waits.js';

describeWithServers('cluster health: traffic readiness and access errors (green)', () => {
  const env = testEnvironment();
  const suffix = randomBytes(3).toString('hex');
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const green = access({ name: 'green' });
  const core = green.makeApiClient(CoreV1Api);
  const apps = green.makeApiClient(AppsV1Api);
  const clusters = { green: { name: 'green' }, blue: { name: 'blue' }, targetVersion: '1.33' };
  const foundation: FoundationSpec = {
    components: [{ name: 'dns', kind: 'Deployment', namespace: 'kube-system', workload: 'coredns' }],
    nodes: { expectedReady: 1 },
  };

  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(created.map((name) => core.deleteNamespace({ name })));
  });

  async function namespace(name: string): Promise<string> {
    const full = `${name}-${suffix}`;
    await core.createNamespace({ body: { metadata: { name: full } } });
    created.push(full);
    return full;
  }

  async function deployment(namespace: string, name: string, replicas: number): Promise<void> {
    const labels = { app: name };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          replicas,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name, image: `registry.example/${name}:1` }] },
          },
        },
      },
    });
  }

  it('says whether the service namespaces can take traffic, naming what is not ready', async () => {
    const shop = await namespace('shop');
    const payments = await namespace('payments');
    const empty = await namespace('empty');
    await deployment(shop, 'web', 3);
    await deployment(shop, 'batch', 0);
    await deployment(payments, 'api', 2);
    await Promise.all([
      deploymentRolledOut(apps, shop, 'web'),
      deploymentRolledOut(apps, shop, 'batch'),
      deploymentRolledOut(apps, payments, 'api'),
    ]);
    // One of api's two pods starts crash-looping: its Deployment is left with one available replica.
    await failOnePod(core, payments, { app: 'api' }, podFaults.crashLoop);
    await deploymentReported(
      apps,
      payments,
      'api',
      (s) => s.readyReplicas === 1 && s.availableReplicas === 1,
      'down to one available replica',
    );
    const health = (namespaces: string[]) =>
      createClusterHealth({ access, foundation, services: { namespaces } });

    await expect(health([shop]).readyForTraffic(clusters.green)).resolves.toEqual({
      ready: true,
      message: `green: all 2 Deployments available in ${shop}`,
    });
    await expect(health([shop, payments, empty]).readyForTraffic(clusters.green)).resolves.toEqual({
      ready: false,
      message:
        `green: not ready for traffic: ${payments}/api: 1 of 2 replicas available; ` +
        `namespace ${empty} has no Deployments`,
    });
    // The same namespaces on blue hold nothing: the clusters are judged apart.
    await expect(health([shop]).readyForTraffic(clusters.blue)).resolves.toMatchObject({ ready: false });
  });

  it('reports an unreachable cluster as a retryable ProviderError naming it', async () => {
    const path = writeKubeconfig(green, `https://127.0.0.1:${await closedPort()}`, 'unused');
    const unreachable = createClusterHealth({
      access: (cluster) => loadKubeConfig({ path, context: cluster.name }),
      foundation,
      services: { namespaces: ['shop'] },
    });
    await expect(unreachable.qualifyFoundation(clusters)).rejects.toMatchObject({
      name: 'ProviderError',
      retryable: true,
      message: expect.stringMatching(/^cluster green: cannot .*ECONNREFUSED/),
    });
    await expect(unreachable.readyForTraffic(clusters.green)).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining('cluster green: cannot list Deployments in namespace shop'),
    });
  });

  it('reports credentials the apiserver rejects as a non-retryable ProviderError', async () => {
    const server = green.getCluster('green')?.server ?? '';
    const path = writeKubeconfig(green, server, 'not-a-valid-token');
    const rejected = createClusterHealth({
      access: (cluster) => loadKubeConfig({ path, context: cluster.name }),
      foundation,
    });
    await expect(rejected.qualifyFoundation(clusters)).rejects.toMatchObject({
      name: 'ProviderError',
      retryable: false,
      message: expect.stringMatching(/^cluster green: cannot .*: credentials rejected \(401 Unauthorized\)/),
    });
  });
});

/** A kubeconfig trusting green's CA, with another server or token, written where loadKubeConfig reads it. */
function writeKubeconfig(base: KubeConfig, server: string, token: string): string {
  const cluster = base.getCluster('green');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'green', server, caData: cluster?.caData, skipTLSVerify: false }],
    users: [{ name: 'someone', token }],
    contexts: [{ name: 'green', cluster: 'green', user: 'someone' }],
    currentContext: 'green',
  });
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-health-')), 'kubeconfig');
  writeFileSync(path, config.exportConfig(), { mode: 0o600 });
  return path;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
