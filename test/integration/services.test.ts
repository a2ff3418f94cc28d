import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { createServiceDeployer, type ServicesSpec } from '../../src/providers/kubernetes/services/index.js';
import { describeWithServers, testEnvironment } from './environment.js';

const blue: ClusterRef = { name: 'blue' };
const green: ClusterRef = { name: 'green' };
const labels = { app: 'web' };
const podTemplate = {
  metadata: { labels },
  spec: {
    containers: [{ name: 'web', image: 'registry.example/web:1.0', ports: [{ containerPort: 8080 }] }],
  },
};

describeWithServers('Kubernetes service deployer (blue → green)', () => {
  const env = testEnvironment();
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const api = (cluster: ClusterRef) => {
    const config = access(cluster);
    return {
      core: config.makeApiClient(CoreV1Api),
      apps: config.makeApiClient(AppsV1Api),
      autoscaling: config.makeApiClient(AutoscalingV2Api),
      policy: config.makeApiClient(PolicyV1Api),
      networking: config.makeApiClient(NetworkingV1Api),
    };
  };
  const deployer = (spec: ServicesSpec) => createServiceDeployer({ access, spec, sleep: async () => {} });
  const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
  const deploy = (spec: ServicesSpec) => deployer(spec).deploy({ promotionId: 'p-1', from: blue, to: green });

  async function createNamespace(cluster: ClusterRef, name: string, extra: V1ObjectMeta = {}) {
    await api(cluster).core.createNamespace({ body: { metadata: { name, ...extra } } });
  }

  async function createDeployment(cluster: ClusterRef, namespace: string, name: string, replicas = 2) {
    await api(cluster).apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: { replicas, selector: { matchLabels: labels }, template: podTemplate },
      },
    });
  }

  /** Plays the deployment controller: reports the rollout as done (or as `status` says). */
  async function reportRollout(cluster: ClusterRef, namespace: string, name: string, status?: object) {
    const body = {
      status: status ?? {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      },
    };
    await api(cluster).apps.patchNamespacedDeploymentStatus(
      { name, namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** resourceVersion of every object of the copied kinds in the namespace on green, by kind/name. */
  async function versionsOnGreen(namespace: string): Promise<Record<string, string | undefined>> {
    const g = api(green);
    const lists = await Promise.all([
      g.core.listNamespacedConfigMap({ namespace }),
      g.core.listNamespacedSecret({ namespace }),
      g.core.listNamespacedServiceAccount({ namespace }),
      g.core.listNamespacedService({ namespace }),
      g.apps.listNamespacedDeployment({ namespace }),
      g.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
      g.policy.listNamespacedPodDisruptionBudget({ namespace }),
      g.networking.listNamespacedIngress({ namespace }),
    ]);
    const namespaceObject = await g.core.readNamespace({ name: namespace });
    const entries = lists.flatMap((list, index) =>
      list.items.map((item) => [`${index}/${item.metadata?.name}`, item.metadata?.resourceVersion] as const),
    );
    return Object.fromEntries([...entries, ['namespace', namespaceObject.metadata?.resourceVersion]]);
  }

  describe('copy mode', () => {
    const namespace = unique('svc-copy');
    const selectorValue = namespace;
    const blueUids: Record<string, string | undefined> = {};
    let blueClusterIp: string | undefined;

    it('copies a namespace from blue to green without what is blue-specific', async () => {
      await createNamespace(blue, namespace, { labels: { 'switchyard-test': selectorValue, team: 'shop' } });
      const b = api(blue);
      const cm = await b.core.createNamespacedConfigMap({
        namespace,
        body: {
          metadata: {
            name: 'web-config',
            annotations: {
              'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"ConfigMap"}',
              keep: 'me',
            },
          },
          data: { color: 'blue' },
        },
      });
      blueUids.configMap = cm.metadata?.uid;
      await b.core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 'web-secret' }, stringData: { password: 's3cret' } },
      });
      await b.core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name: 'web-token', annotations: { 'kubernetes.io/service-account.name': 'web' } },
          type: 'kubernetes.io/service-account-token',
        },
      });
      await b.core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name: 'sh.helm.release.v1.web.v1' },
          type: 'helm.sh/release.v1',
          data: { release: 'eA==' },
        },
      });
      await b.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
      await b.core.createNamespacedServiceAccount({
        namespace,
        body: { metadata: { name: 'web' }, secrets: [{ name: 'web-token' }] },
      });
      const service = await b.core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
        },
      });
      blueClusterIp = service.spec?.clusterIP;
      expect(blueClusterIp).toMatch(/^10\.0\.0\./);
      await createDeployment(blue, namespace, 'web');
      const deployment = await b.apps.readNamespacedDeployment({ name: 'web', namespace });
      blueUids.deployment = deployment.metadata?.uid;
      // A controller-made object: owned by blue's Deployment.
      await b.core.createNamespacedConfigMap({
        namespace,
        body: {
          metadata: {
            name: 'web-generated',
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: 'web',
                uid: blueUids.deployment ?? '',
                controller: true,
              },
            ],
          },
          data: { generated: 'yes' },
        },
      });
      await b.autoscaling.createNamespacedHorizontalPodAutoscaler({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
            minReplicas: 2,
            maxReplicas: 5,
          },
        },
      });
      await b.policy.createNamespacedPodDisruptionBudget({
        namespace,
        body: { metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
      });
      await b.networking.createNamespacedIngress({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: {
            rules: [
              {
                host: 'shop.example',
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: 'web', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      });

      const observed = await deploy({
        source: { kind: 'copy', namespaces: { selector: `switchyard-test=${selectorValue}` } },
      });
      expect(observed.ready).toBe(true);
      expect(observed.message).toContain(`copied 1 namespace(s) (${namespace}) from blue to green`);
      expect(observed.message).toContain(
        '9 object(s) applied (2 ConfigMap, 1 Secret, 1 ServiceAccount, 1 Service, 1 Deployment, 1 HorizontalPodAutoscaler, 1 PodDisruptionBudget, 1 Ingress)',
      );
      expect(observed.message).toContain(`Secret ${namespace}/web-token (service-account token)`);

      const g = api(green);
      const greenNamespace = await g.core.readNamespace({ name: namespace });
      expect(greenNamespace.metadata?.labels).toMatchObject({
        'switchyard-test': selectorValue,
        team: 'shop',
      });

      const greenConfig = await g.core.readNamespacedConfigMap({ name: 'web-config', namespace });
      expect(greenConfig.data).toEqual({ color: 'blue' });
      expect(greenConfig.metadata?.uid).not.toBe(blueUids.configMap);
      expect(greenConfig.metadata?.annotations).toEqual({ keep: 'me' });
      const generated = await g.core.readNamespacedConfigMap({ name: 'web-generated', namespace });
      expect(generated.metadata?.ownerReferences).toBeUndefined();

      const secret = await g.core.readNamespacedSecret({ name: 'web-secret', namespace });
      expect(Buffer.from(secret.data?.password ?? '', 'base64').toString()).toBe('s3cret');
      for (const name of ['web-token', 'sh.helm.release.v1.web.v1']) {
        await expect(g.core.readNamespacedSecret({ name, namespace })).rejects.toMatchObject({ code: 404 });
      }
      await expect(g.core.readNamespacedServiceAccount({ name: 'default', namespace })).rejects.toMatchObject(
        { code: 404 },
      );
      const account = await g.core.readNamespacedServiceAccount({ name: 'web', namespace });
      expect(account.secrets).toBeUndefined();

      const greenService = await g.core.readNamespacedService({ name: 'web', namespace });
      expect(greenService.spec?.clusterIP).toMatch(/^10\.0\.0\./); // green allocated its own
      const applied = greenService.metadata?.managedFields?.find((f) => f.manager === 'switchyard');
      expect(applied?.operation).toBe('Apply');
      expect(JSON.stringify(applied?.fieldsV1)).not.toContain('clusterIP');
      expect(JSON.stringify(applied?.fieldsV1)).toContain('f:targetPort');

      const greenDeployment = await g.apps.readNamespacedDeployment({ name: 'web', namespace });
      expect(greenDeployment.metadata?.uid).not.toBe(blueUids.deployment);
      expect(greenDeployment.spec?.replicas).toBe(2);
      expect(greenDeployment.status?.availableReplicas).toBeUndefined();
      await expect(
        g.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'web', namespace }),
      ).resolves.toMatchObject({
        spec: { maxReplicas: 5 },
      });
      await expect(
        g.policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace }),
      ).resolves.toBeDefined();
      const ingress = await g.networking.readNamespacedIngress({ name: 'web', namespace });
      expect(ingress.spec?.rules?.[0]?.host).toBe('shop.example');
    });

    it('changes nothing on green when deployed again', async () => {
      const before = await versionsOnGreen(namespace);
      expect(Object.keys(before)).toHaveLength(10);
      const observed = await deploy({ source: { kind: 'copy', namespaces: [namespace] } });
      expect(observed.ready).toBe(true);
      expect(await versionsOnGreen(namespace)).toEqual(before);
    });

    it('qualifies by rollout: inconclusive until the Deployment is available, then pass', async () => {
      const services = deployer({ source: { kind: 'copy', namespaces: [namespace] } });
      const waiting = await services.qualify(green);
      expect(waiting.verdict).toBe('inconclusive');
      expect(waiting.checks).toEqual([
        {
          name: `rollout Deployment ${namespace}/web`,
          verdict: 'inconclusive',
          evidence: 'no status from the controller yet',
        },
      ]);
      await reportRollout(green, namespace, 'web', {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
      });
      expect((await services.qualify(green)).checks[0]?.evidence).toContain(
        '1 available, 2 updated of 2 desired',
      );
      await reportRollout(green, namespace, 'web');
      const passed = await services.qualify(green);
      expect(passed.verdict).toBe('pass');
      // Blue is untouched: its Deployment still has no status.
      expect((await services.qualify(blue)).verdict).toBe('inconclusive');
    });

    it('refuses a namespace that blue does not have', async () => {
      const missing = unique('svc-missing');
      await expect(deploy({ source: { kind: 'copy', namespaces: [missing] } })).rejects.toMatchObject({
        retryable: false,
        message: `cluster blue: cannot copy services: namespace(s) ${missing} not found`,
      });
    });
  });

  describe('stateful guard', () => {
    const namespace = unique('svc-stateful');

    it('refuses to copy claims and claim templates, naming each and saying why', async () => {
      await createNamespace(blue, namespace);
      const b = api(blue);
      await b.core.createNamespacedPersistentVolumeClaim({
        namespace,
        body: {
          metadata: { name: 'uploads' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
            volumeName: 'pv-blue-1',
          },
        },
      });
      await b.apps.createNamespacedStatefulSet({
        namespace,
        body: {
          metadata: { name: 'db' },
          spec: {
            serviceName: 'db',
            replicas: 1,
            selector: { matchLabels: labels },
            template: podTemplate,
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
              },
            ],
          },
        },
      });
      const refused = deploy({ source: { kind: 'copy', namespaces: [namespace] } });
      await expect(refused).rejects.toBeInstanceOf(ProviderError);
      await expect(refused).rejects.toMatchObject({ retryable: false });
      const message = await refused.catch((error: Error) => error.message);
      expect(message).toContain(
        `PersistentVolumeClaim ${namespace}/uploads (claims 1Gi volume (bound to pv-blue-1`,
      );
      expect(message).toContain(
        `StatefulSet ${namespace}/db (volumeClaimTemplates "data" give each replica its own volume)`,
      );
      expect(message).toContain('Blue-green moves traffic, not data');
      // Nothing was applied.
      await expect(api(green).core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 });
    });

    it('copies them with allowStateful, unbound from blue’s volume', async () => {
      const observed = await deploy({
        source: { kind: 'copy', namespaces: [namespace] },
        allowStateful: true,
      });
      expect(observed.message).toContain('1 PersistentVolumeClaim');
      const claim = await api(green).core.readNamespacedPersistentVolumeClaim({ name: 'uploads', namespace });
      expect(claim.spec?.volumeName).toBeUndefined();
      expect(claim.spec?.resources?.requests?.storage).toBe('1Gi');
      await expect(
        api(green).apps.readNamespacedStatefulSet({ name: 'db', namespace }),
      ).resolves.toBeDefined();
    });
  });
});
