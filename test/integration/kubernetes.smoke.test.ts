import { randomBytes } from 'node:crypto';
import { ApiException, AppsV1Api, CoreV1Api, type V1Deployment, VersionApi } from '@kubernetes/client-node';
import { expect, it, onTestFinished } from 'vitest';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { podsMatching } from './support/pod-faults.js';
import { deploymentRolledOut } from './support/workload-waits.js';

const clusters = ['blue', 'green'] as const;

describeWithServers('kube-apiserver blue and green (smoke)', () => {
  const env = testEnvironment();
  const api = (cluster: (typeof clusters)[number]) => {
    const config = loadKubeConfig({ path: env.kubeconfigPath, context: cluster });
    return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
  };
  const suffix = randomBytes(3).toString('hex');

  it.each(clusters)(
    'creates a namespace and a Deployment on %s, which its controllers and kubelets make available',
    async (cluster) => {
      const { core, apps } = api(cluster);
      const namespace = `smoke-${cluster}-${suffix}`;
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      onTestFinished(() => core.deleteNamespace({ name: namespace }).then(() => undefined));

      const labels = { app: 'web' };
      const deployment: V1Deployment = {
        metadata: { name: 'web', namespace },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }] },
          },
        },
      };
      const created = await apps.createNamespacedDeployment({ namespace, body: deployment });
      expect(created.metadata?.uid).toBeTruthy();

      // The deployment controller, the scheduler and kwok (the fake nodes' kubelet) report readiness.
      const read = await deploymentRolledOut(apps, namespace, 'web');
      expect(read.spec?.replicas).toBe(3);
      expect(read.status).toMatchObject({ observedGeneration: 1, readyReplicas: 3, availableReplicas: 3 });
      const pods = await podsMatching(core, namespace, labels);
      expect(pods).toHaveLength(3);
      for (const pod of pods) expect(env.kubeNodes[cluster]).toContain(pod.spec?.nodeName);
    },
  );

  it('keeps the clusters apart: a namespace made on blue does not exist on green', async () => {
    const namespace = `smoke-only-blue-${suffix}`;
    await api('blue').core.createNamespace({ body: { metadata: { name: namespace } } });
    onTestFinished(() =>
      api('blue')
        .core.deleteNamespace({ name: namespace })
        .then(() => undefined),
    );
    await expect(api('blue').core.readNamespace({ name: namespace })).resolves.toBeDefined();
    const onGreen = api('green').core.readNamespace({ name: namespace });
    await expect(onGreen).rejects.toBeInstanceOf(ApiException);
    await expect(onGreen).rejects.toMatchObject({ code: 404 });
  });

  it('reports the Kubernetes version it was built at', async () => {
    const config = loadKubeConfig({ path: env.kubeconfigPath, context: 'green' });
    const version = await config.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
  });
});
