/**
 * The look at green during every bake, against green's real control loops: services available and no
 * container failing. A crash loop is seen while the Deployment still has replicas to lose.
 */
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Observation } from '../../src/domain/ports.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { createClusterHealth, defaultEksFoundation } from '../../src/providers/kubernetes/health/index.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { podFaults } from '../env/faults.js';
import { failPods } from '../env/world-faults.js';
import { describeWithServers, testEnvironment } from './environment.js';

const settle = { timeout: 30_000, interval: 250 };

describeWithServers('green watched while it holds traffic', () => {
  const env = testEnvironment();
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const green = access({ name: 'green' });
  const namespace = `serving-${randomBytes(3).toString('hex')}`;
  const health = createClusterHealth({
    access,
    foundation: defaultEksFoundation,
    services: { namespaces: [namespace] },
  });
  const look = () => health.servingHealth({ name: 'green' });

  async function until(what: (seen: Observation) => boolean): Promise<Observation> {
    const deadline = Date.now() + settle.timeout;
    for (;;) {
      const seen = await look();
      if (what(seen)) return seen;
      if (Date.now() > deadline) throw new Error(`never reached; last look: ${seen.message}`);
      await new Promise((resolve) => setTimeout(resolve, settle.interval));
    }
  }

  beforeAll(async () => {
    await green.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const labels = { app: 'web' };
    await green.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'registry.example/web:2.4.1' }] },
          },
        },
      },
    });
  });
  afterAll(() => green.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }));

  it('serves well once its pods run, and is degraded when they crash-loop, naming pod and reason', async () => {
    const serving = await until((seen) => seen.ready);
    expect(serving.message).toMatch(/^green: 1 Deployment available; no crash-looping/);

    await failPods(green, namespace, 'web', podFaults.crashLoop);
    const degraded = await until((seen) => !seen.ready);
    expect(degraded.message).toMatch(
      new RegExp(`^green: degraded: .*${namespace}/web-[\\w-]+ container web: CrashLoopBackOff`),
    );

    await failPods(green, namespace, 'web', null);
    await until((seen) => seen.ready);
  });
});
