import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { createServiceDeployer, type ServicesSpec } from '../../src/providers/kubernetes/services/index.js';
import { podFault, podFaultLabel, podFaults } from '../env/faults.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { waitFor } from './support/wait-for.js';
import { deploymentReported, deploymentRolledOut } from './support/workload-waits.js';

const blue: ClusterRef = { name: 'blue' };
const green: ClusterRef = { name: 'green' };
const labels = { app: 'web' };
/** A pod template whose image pulls (or, given `broken`, never does: kwok's image-pull fault). */
const podTemplate = (broken = false) => ({
  metadata: { labels: { ...labels, ...(broken ? podFault(podFaults.imagePull) : {}) } },
  spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }] },
});
/** What the rollout judgement says of a Deployment of 2 whose new pods cannot start. */
const neverAvailable = '0 available, 2 updated of 2 desired; waiting for replicas to become available';

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
  const greenNamespaces: string[] = [];
  afterAll(async () => {
    await Promise.all(greenNamespaces.map((name) => api(green).core.deleteNamespace({ name })));
  });

  async function createDeployment(namespace: string, name: string, broken = false) {
    await api(green).apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate(broken) },
      },
    });
  }

  /** Waits until green's deployment controller reports every replica of the Deployment unavailable. */
  function reportedUnavailable(namespace: string, name: string) {
    return deploymentReported(
      api(green).apps,
      namespace,
      name,
      (s) => s.replicas === 2 && s.updatedReplicas === 2 && s.unavailableReplicas === 2,
      'reported with both replicas unavailable',
    );
  }

  describe('manifests mode', () => {
    const namespace = unique('svc-manifests');
    greenNamespaces.push(namespace);
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-services-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    /** The app's manifests: its config and a Deployment whose image does not pull unless `fixed`. */
    const writeApp = (fixed: boolean) => {
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate(!fixed) },
      };
      writeFileSync(
        join(directory, 'app.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api, namespace: ${namespace}}\ndata: {mode: green}\n---\n${JSON.stringify(deployment)}\n`,
      );
    };

    it('applies a directory of YAML and JSON manifests, idempotently, and qualifies what it applied', async () => {
      writeApp(false);
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

      // The applied Deployment's pods cannot pull their image: qualification says "not yet".
      const settled = await reportedUnavailable(namespace, 'api');
      const { wakeOn, ...waiting } = await deployer(spec).qualify(green);
      expect(wakeOn).toBeTypeOf('function'); // the rollout's change feed (rollout-feed.test.ts)
      expect(waiting).toEqual({
        verdict: 'inconclusive',
        checks: [
          { name: `rollout Deployment ${namespace}/api`, verdict: 'inconclusive', evidence: neverAvailable },
        ],
      });

      // Applying the same manifests again writes nothing (the controller has settled its status).
      await deploy(spec);
      expect(
        (await g.apps.readNamespacedDeployment({ name: 'api', namespace })).metadata?.resourceVersion,
      ).toBe(settled.metadata?.resourceVersion);

      // Fixed manifests roll out, and qualification passes once the controller reports them available.
      writeApp(true);
      await expect(deploy(spec)).resolves.toMatchObject({ ready: true });
      const qualified = await waitFor(async () => {
        const q = await deployer(spec).qualify(green);
        return q.verdict === 'pass' && q;
      }, `the fixed Deployment ${namespace}/api to qualify`);
      expect(qualified.checks).toEqual([
        {
          name: `rollout Deployment ${namespace}/api`,
          verdict: 'pass',
          evidence: '2 available, 2 updated of 2 desired',
        },
      ]);
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
      greenNamespaces.push(namespace);
      // Another team deploys api, and a worker whose image does not pull yet.
      await createDeployment(namespace, 'api');
      await createDeployment(namespace, 'worker', true);
      await deploymentRolledOut(api(green).apps, namespace, 'api');
      await reportedUnavailable(namespace, 'worker');
      const second = await deploy(spec);
      expect(second.ready).toBe(false);
      expect(second.message).toBe(
        `waiting for 1 of 2 workload(s) on green: Deployment ${namespace}/worker: ${neverAvailable}`,
      );

      // They fix the worker's image; once its rollout is available, so is the whole list.
      await api(green).apps.patchNamespacedDeployment(
        {
          name: 'worker',
          namespace,
          body: { spec: { template: { metadata: { labels: { [podFaultLabel]: null } } } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const ready = await waitFor(async () => {
        const observed = await deploy(spec);
        return observed.ready && observed;
      }, `the fixed worker in ${namespace} to be available`);
      expect(ready).toEqual({ ready: true, message: 'all 2 workload(s) available on green' });
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
