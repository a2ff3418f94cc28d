import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { createServiceDeployer, type ServicesSpec } from '../../src/providers/kubernetes/services/index.js';
import { podFault, podFaultLabel, podFaults } from '../env/faults.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { waitFor } from './support/wait-for.js';
import { deploymentReported, deploymentRolledOut } from './support/workload-waits.js';

const green: ClusterRef = { name: 'green' };
const labels = { app: 'feed' };

describeWithServers(
  'the change feed of a rollout under way (green kube-apiserver, its controllers, kwok)',
  () => {
    const env = testEnvironment();
    const access = (cluster: ClusterRef) =>
      loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
    const core = access(green).makeApiClient(CoreV1Api);
    const apps = access(green).makeApiClient(AppsV1Api);
    const namespace = `feed-${randomBytes(3).toString('hex')}`;
    afterAll(() => core.deleteNamespace({ name: namespace }));

    const deployment = (name: string, broken: boolean) =>
      apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: {
            replicas: 2,
            selector: { matchLabels: { ...labels, name } },
            template: {
              metadata: { labels: { ...labels, name, ...(broken ? podFault(podFaults.imagePull) : {}) } },
              spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0' }] },
            },
          },
        },
      });

    it('reports a change of the workload it waits on, not the replay of what it saw nor other workloads', async () => {
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await deployment('worker', true);
      await deploymentReported(apps, namespace, 'worker', (s) => s.unavailableReplicas === 2, 'unavailable');
      const spec: ServicesSpec = {
        source: { kind: 'external', workloads: [{ kind: 'Deployment', namespace, name: 'worker' }] },
      };
      const services = createServiceDeployer({ access, spec });
      const waiting = await services.qualify(green);
      expect(waiting.verdict).toBe('inconclusive');
      if (waiting.wakeOn === undefined) throw new Error('an inconclusive rollout comes with a change feed');

      const reports: number[] = [];
      const stop = waiting.wakeOn(() => reports.push(Date.now()));
      try {
        // Another team's Deployment in the same namespace rolls out: not what qualification waits on.
        await deployment('other', false);
        await deploymentRolledOut(apps, namespace, 'other');
        // The worker's image is fixed: its rollout moves, and the feed says so.
        const fixedAt = Date.now();
        await apps.patchNamespacedDeployment(
          {
            name: 'worker',
            namespace,
            body: { spec: { template: { metadata: { labels: { [podFaultLabel]: null } } } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        await waitFor(async () => reports.length > 0, 'the feed to report the worker changing');
        // Nothing before the fix: the watch's replay of the worker as seen and the other Deployment's
        // whole rollout (its events come first in the stream) reported nothing.
        expect(reports[0]).toBeGreaterThanOrEqual(fixedAt);
      } finally {
        stop();
      }

      // Once the rollout passes, there is nothing to wait on and no feed.
      await deploymentRolledOut(apps, namespace, 'worker');
      const passed = await services.qualify(green);
      expect([passed.verdict, passed.wakeOn]).toEqual(['pass', undefined]);
    });
  },
);
