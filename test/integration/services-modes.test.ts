import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { createServiceDeployer, type ServicesSpec } from '../../src/providers/kubernetes/services/index.js';
import { describeWithServers, testEnvironment } from './environment.js';

const blue: ClusterRef = { name: 'blue' };
const green: ClusterRef = { name: 'green' };
const labels = { app: 'web' };
const podTemplate = {
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }] },
};

describeWithServers('Kubernetes service deployer: manifests and external modes, errors', () => {
  const env = testEnvironment();
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const api = (cluster: ClusterRef) => {
    const config = access(cluster);
    return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
  };
  const deployer = (spec: ServicesSpec) => createServiceDeployer({ access, spec, sleep: async () => {} });
  const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
  const deploy = (spec: ServicesSpec) => deployer(spec).deploy({ promotionId: 'p-1', from: blue, to: green });

  async function createDeployment(cluster: ClusterRef, namespace: string, name: string) {
    await api(cluster).apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate },
      },
    });
  }

  /** Plays the deployment controller: reports the rollout as done. */
  async function reportRollout(cluster: ClusterRef, namespace: string, name: string) {
    const status = {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    };
    await api(cluster).apps.patchNamespacedDeploymentStatus(
      { name, namespace, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  describe('manifests mode', () => {
    const namespace = unique('svc-manifests');
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-services-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('applies a directory of YAML and JSON manifests, idempotently, and qualifies what it applied', async () => {
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate },
      };
      writeFileSync(
        join(directory, 'app.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api, namespace: ${namespace}}\ndata: {mode: green}\n---\n${JSON.stringify(deployment)}\n`,
      );
      const service = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'api', namespace },
        spec: { selector: labels, ports: [{ port: 80 }] },
      };
      writeFileSync(join(directory, 'service.json'), JSON.stringify(service));
      const spec: ServicesSpec = { source: { kind: 'manifests', directory } };

      const observed = await deploy(spec);
      expect(observed).toEqual({
        ready: true,
        message: `applied 3 object(s) from ${directory} to green (1 ConfigMap, 1 Deployment, 1 Service); workload readiness is judged by qualification`,
      });
      const g = api(green);
      await expect(g.core.readNamespacedConfigMap({ name: 'api', namespace })).resolves.toMatchObject({
        data: { mode: 'green' },
      });
      const before = (await g.apps.readNamespacedDeployment({ name: 'api', namespace })).metadata
        ?.resourceVersion;
      await deploy(spec);
      expect(
        (await g.apps.readNamespacedDeployment({ name: 'api', namespace })).metadata?.resourceVersion,
      ).toBe(before);

      expect((await deployer(spec).qualify(green)).verdict).toBe('inconclusive');
      await reportRollout(green, namespace, 'api');
      const qualified = await deployer(spec).qualify(green);
      expect(qualified).toMatchObject({
        verdict: 'pass',
        checks: [{ name: `rollout Deployment ${namespace}/api`, verdict: 'pass' }],
      });
    });

    it('refuses manifests with a claim unless allowStateful', async () => {
      const stateful = mkdtempSync(join(tmpdir(), 'switchyard-stateful-'));
      writeFileSync(
        join(stateful, 'claim.yaml'),
        `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: ${namespace}}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}\n`,
      );
      try {
        await expect(deploy({ source: { kind: 'manifests', directory: stateful } })).rejects.toThrow(
          `PersistentVolumeClaim ${namespace}/data (claims 2Gi volume)`,
        );
      } finally {
        rmSync(stateful, { recursive: true, force: true });
      }
    });
  });

  describe('external mode', () => {
    it('waits until every listed workload exists and is available', async () => {
      const namespace = unique('svc-external');
      const spec: ServicesSpec = {
        source: {
          kind: 'external',
          workloads: [
            { kind: 'Deployment', namespace, name: 'api' },
            { kind: 'Deployment', namespace, name: 'worker' },
          ],
        },
      };
      const first = await deploy(spec);
      expect(first.ready).toBe(false);
      expect(first.message).toContain(`Deployment ${namespace}/api: not found on cluster green`);
      expect(first.message).toContain(`Deployment ${namespace}/worker: not found on cluster green`);

      await api(green).core.createNamespace({ body: { metadata: { name: namespace } } });
      await createDeployment(green, namespace, 'api');
      await createDeployment(green, namespace, 'worker');
      await reportRollout(green, namespace, 'api');
      const second = await deploy(spec);
      expect(second.ready).toBe(false);
      expect(second.message).toBe(
        `waiting for 1 of 2 workload(s) on green: Deployment ${namespace}/worker: no status from the controller yet`,
      );

      await reportRollout(green, namespace, 'worker');
      await expect(deploy(spec)).resolves.toEqual({
        ready: true,
        message: 'all 2 workload(s) available on green',
      });
      // Nothing was applied on blue or green.
      await expect(api(blue).core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 });
    });
  });

  describe('errors', () => {
    const configFor = (server: string, token: string) => {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'c', server, skipTLSVerify: true }],
        users: [{ name: 'u', token }],
        contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
        currentContext: 'c',
      });
      return config;
    };
    const spec: ServicesSpec = {
      source: { kind: 'external', workloads: [{ kind: 'Deployment', namespace: 'x', name: 'y' }] },
    };

    it('reports an unreachable cluster as retryable', async () => {
      const services = createServiceDeployer({ access: () => configFor('https://127.0.0.1:1', 't'), spec });
      const failure = services.qualify(green);
      await expect(failure).rejects.toMatchObject({ retryable: true });
      await expect(failure).rejects.toThrow(
        'cluster green: cannot read Deployment x/y: connect ECONNREFUSED',
      );
    });

    it('reports rejected credentials as not retryable', async () => {
      const services = createServiceDeployer({
        access: () => configFor(env.kubeServers.green, 'wrong-token'),
        spec,
      });
      await expect(services.qualify(green)).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining(
          'cluster green: cannot read Deployment x/y: credentials rejected (401 Unauthorized)',
        ),
      });
    });
  });
});
