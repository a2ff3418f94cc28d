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
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { createServiceDeployer, type ServicesSpec } from '../../src/providers/kubernetes/services/index.js';
import { podFaults } from '../env/faults.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { namespaceVersions } from './support/namespace-versions.js';
import { failOnePod, podsMatching, setPodFault } from './support/pod-faults.js';
import { waitFor } from './support/wait-for.js';
import { deploymentReported, deploymentRolledOut } from './support/workload-waits.js';

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

  // Namespaces this file made (on blue) or had copied (to green): deleted from both clusters afterwards.
  const namespaces: string[] = [];
  afterAll(async () => {
    const deletions = namespaces.flatMap((name) =>
      [blue, green].map((cluster) =>
        api(cluster)
          .core.deleteNamespace({ name })
          .catch(() => undefined),
      ),
    );
    await Promise.all(deletions);
  });

  async function createNamespace(cluster: ClusterRef, name: string, extra: V1ObjectMeta = {}) {
    await api(cluster).core.createNamespace({ body: { metadata: { name, ...extra } } });
    namespaces.push(name);
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

  describe('copy mode', () => {
    const namespace = unique('svc-copy');
    const selectorValue = namespace;
    const blueUids: Record<string, string | undefined> = {};
    let blueClusterIp: string | undefined;

    it('copies a namespace from blue to green without what is blue-specific', async () => {
      await createNamespace(blue, namespace, { labels: { 'switchyard-test': selectorValue, team: 'shop' } });
      const b = api(blue);
      // Blue's service-account controller gives the namespace its default account, as every cluster does;
      // someone labelled it there.
      await waitFor(
        () => b.core.readNamespacedServiceAccount({ name: 'default', namespace }),
        `the default ServiceAccount of ${namespace} on blue`,
      );
      const blueDefault = await b.core.patchNamespacedServiceAccount(
        { name: 'default', namespace, body: { metadata: { labels: { team: 'shop' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
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
      // The account first: blue's token controller deletes a token Secret whose account does not exist.
      await b.core.createNamespacedServiceAccount({
        namespace,
        body: { metadata: { name: 'web' }, secrets: [{ name: 'web-token' }] },
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
      expect(observed.message).toContain(`ServiceAccount ${namespace}/default (made by each cluster)`);

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
      // Green's default account is green's own, made by its controller, not a copy of blue's.
      const greenDefault = await waitFor(
        () => g.core.readNamespacedServiceAccount({ name: 'default', namespace }),
        `the default ServiceAccount of ${namespace} on green`,
      );
      expect(greenDefault.metadata?.uid).not.toBe(blueDefault.metadata?.uid);
      expect(greenDefault.metadata?.labels).toBeUndefined();
      expect((greenDefault.metadata?.managedFields ?? []).map((f) => f.manager)).not.toContain('switchyard');
      const account = await g.core.readNamespacedServiceAccount({ name: 'web', namespace });
      expect(account.secrets).toBeUndefined();

      const greenService = await g.core.readNamespacedService({ name: 'web', namespace });
      expect(greenService.spec?.clusterIP).toMatch(/^10\.0\.0\./); // green allocated its own
      const applied = greenService.metadata?.managedFields?.find((f) => f.manager === 'switchyard');
      expect(applied?.operation).toBe('Apply');
      expect(JSON.stringify(applied?.fieldsV1)).not.toContain('clusterIP');
      expect(JSON.stringify(applied?.fieldsV1)).toContain('f:targetPort');

      // The copied Deployment is green's own: green's controllers run it on green's nodes.
      const greenDeployment = await deploymentRolledOut(g.apps, namespace, 'web');
      expect(greenDeployment.metadata?.uid).not.toBe(blueUids.deployment);
      expect(greenDeployment.spec?.replicas).toBe(2);
      const greenPods = await podsMatching(g.core, namespace, labels);
      expect(greenPods.map((p) => env.kubeNodes.green.includes(p.spec?.nodeName ?? ''))).toEqual([
        true,
        true,
      ]);
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
      // Green's controllers have finished writing: the Deployment is available, the budget counts its pods.
      await deploymentRolledOut(api(green).apps, namespace, 'web');
      await waitFor(async () => {
        const budget = await api(green).policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace });
        const observed = budget.status?.observedGeneration === budget.metadata?.generation;
        return observed && budget.status?.currentHealthy === 2 && budget.status.disruptionsAllowed === 1;
      }, `PodDisruptionBudget ${namespace}/web to count both pods`);
      const before = await namespaceVersions(access(green), namespace);
      // What was copied, plus what green's own controllers made in the namespace (root CA, default account).
      expect(Object.keys(before).sort()).toEqual([
        'ConfigMap/kube-root-ca.crt',
        'ConfigMap/web-config',
        'ConfigMap/web-generated',
        'Deployment/web',
        'HorizontalPodAutoscaler/web',
        'Ingress/web',
        'Namespace',
        'PodDisruptionBudget/web',
        'Secret/web-secret',
        'Service/web',
        'ServiceAccount/default',
        'ServiceAccount/web',
      ]);
      const observed = await deploy({ source: { kind: 'copy', namespaces: [namespace] } });
      expect(observed.ready).toBe(true);
      expect(await namespaceVersions(access(green), namespace)).toEqual(before);
    });

    it('qualifies by rollout: inconclusive while a replica is unavailable, pass once the Deployment is available', async () => {
      const services = deployer({ source: { kind: 'copy', namespaces: [namespace] } });
      const g = api(green);
      // One of green's two pods starts crash-looping: the Deployment has one available replica of two.
      const crashing = await failOnePod(g.core, namespace, labels, podFaults.crashLoop);
      await deploymentReported(
        g.apps,
        namespace,
        'web',
        (s) => s.availableReplicas === 1 && s.updatedReplicas === 2,
        'down to one available replica',
      );
      const waiting = await services.qualify(green);
      expect(waiting.verdict).toBe('inconclusive');
      expect(waiting.checks).toEqual([
        {
          name: `rollout Deployment ${namespace}/web`,
          verdict: 'inconclusive',
          evidence: '1 available, 2 updated of 2 desired; waiting for replicas to become available',
        },
      ]);
      // The clusters are judged apart: blue's own replicas are all available.
      expect((await services.qualify(blue)).verdict).toBe('pass');

      await setPodFault(g.core, namespace, crashing, null);
      const passed = await waitFor(async () => {
        const q = await services.qualify(green);
        return q.verdict === 'pass' && q;
      }, `${namespace}/web on green to qualify again`);
      expect(passed.checks).toEqual([
        {
          name: `rollout Deployment ${namespace}/web`,
          verdict: 'pass',
          evidence: '2 available, 2 updated of 2 desired',
        },
      ]);
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
      // Blue's StatefulSet controller has made the claim of replica db-0 from the template: a claim too.
      await waitFor(
        () => api(blue).core.readNamespacedPersistentVolumeClaim({ name: 'data-db-0', namespace }),
        `claim data-db-0 of StatefulSet ${namespace}/db on blue`,
      );
      const observed = await deploy({
        source: { kind: 'copy', namespaces: [namespace] },
        allowStateful: true,
      });
      expect(observed.message).toContain('2 PersistentVolumeClaim');
      const claim = await api(green).core.readNamespacedPersistentVolumeClaim({ name: 'uploads', namespace });
      expect(claim.spec?.volumeName).toBeUndefined();
      expect(claim.spec?.resources?.requests?.storage).toBe('1Gi');
      await expect(
        api(green).apps.readNamespacedStatefulSet({ name: 'db', namespace }),
      ).resolves.toBeDefined();
    });
  });
});
