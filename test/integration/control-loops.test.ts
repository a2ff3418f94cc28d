/**
 * The test clusters behave like clusters: each runs its own Kubernetes version, its controllers and
 * scheduler act on what tests create, and kwok's fake kubelets run pods and fail them on request
 * (faults.ts). Every wait here is on a state the real control loops must reach; nothing is patched by hand.
 */
import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
  VersionApi,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { nodeFaultLabel, nodeFaults, podFault, podFaultLabel, podFaults } from '../env/faults.js';
import { describeWithServers, testEnvironment } from './environment.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const clusters = ['blue', 'green'] as const;
// Generous: two clusters' control planes share two CPU cores with the rest of the test run.
const settle = { timeout: 30_000, interval: 200 };

describeWithServers('control loops in the test clusters', () => {
  const env = testEnvironment();
  const suffix = randomBytes(3).toString('hex');

  describe.each(clusters)('%s', (cluster) => {
    const config: KubeConfig = loadKubeConfig({ path: env.kubeconfigPath, context: cluster });
    const core = config.makeApiClient(CoreV1Api);
    const apps = config.makeApiClient(AppsV1Api);
    const policy = config.makeApiClient(PolicyV1Api);
    const namespace = `loops-${cluster}-${suffix}`;
    const kwokNodes = env.kubeNodes[cluster];

    beforeAll(async () => {
      await core.createNamespace({ body: { metadata: { name: namespace } } });
    });
    afterAll(async () => {
      // The namespace controller deletes what is inside; the nodes are restored by the node test itself.
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    });

    const pod = (name: string) => core.readNamespacedPod({ name, namespace });
    const condition = (p: V1Pod | V1Node, type: string) =>
      (p.status?.conditions as { type: string; status: string; reason?: string }[] | undefined)?.find(
        (c) => c.type === type,
      );
    const waiting = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

    async function createPod(
      name: string,
      labels: Record<string, string> = {},
      nodeSelector?: Record<string, string>,
    ) {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name, labels },
          spec: {
            ...(nodeSelector && { nodeSelector }),
            containers: [{ name: 'app', image: `registry.example/${name}:1.0` }],
          },
        },
      });
    }

    async function createDeployment(name: string, replicas: number) {
      const labels = { app: name };
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name },
          spec: {
            replicas,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: { containers: [{ name, image: `registry.example/${name}:1.0` }] },
            },
          },
        },
      });
    }

    it(`serves Kubernetes ${env.kubeVersions[cluster]}`, async () => {
      const version = await config.makeApiClient(VersionApi).getCode();
      expect(version.gitVersion).toBe(`v${env.kubeVersions[cluster]}`);
      const nodes = await core.listNode();
      const kubelets = nodes.items.filter((n) => kwokNodes.includes(n.metadata?.name ?? ''));
      expect(kubelets.map((n) => n.status?.nodeInfo?.kubeletVersion)).toEqual(
        kwokNodes.map(() => expect.stringMatching(new RegExp(`^v${env.kubeVersions[cluster]}-eks-`))),
      );
    });

    it('runs a Deployment: ReplicaSet, pods bound to fake nodes by the scheduler, Ready, available', async () => {
      await createDeployment('web', 3);
      await expect
        .poll(
          async () =>
            (await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.availableReplicas,
          settle,
        )
        .toBe(3);

      const replicaSets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
      expect(replicaSets.items).toHaveLength(1);
      expect(replicaSets.items[0]?.metadata?.ownerReferences?.[0]?.name).toBe('web');
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      expect(pods.items).toHaveLength(3);
      for (const p of pods.items) {
        expect(kwokNodes).toContain(p.spec?.nodeName);
        expect(p.status?.phase).toBe('Running');
        expect(condition(p, 'Ready')?.status).toBe('True');
        expect(p.status?.podIP).toMatch(/^10\.40\./);
        // The ServiceAccount admission plugin is on and the controllers made the default account.
        expect(p.spec?.serviceAccountName).toBe('default');
      }
    });

    it('leaves a pod no node can take Pending, Unschedulable', async () => {
      await createPod('nowhere', {}, { 'switchyard.test/no-such-node': 'true' });
      await expect
        .poll(async () => condition(await pod('nowhere'), 'PodScheduled'), settle)
        .toMatchObject({
          status: 'False',
          reason: 'Unschedulable',
        });
      expect((await pod('nowhere')).status?.phase).toBe('Pending');
    });

    it('crash-loops a pod with the crash-loop fault, restarts climbing, and recovers when it is cleared', async () => {
      await createPod('crashy', podFault(podFaults.crashLoop));
      await expect
        .poll(async () => {
          const p = await pod('crashy');
          return {
            waiting: waiting(p),
            restartedThrice: (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3,
          };
        }, settle)
        .toEqual({ waiting: 'CrashLoopBackOff', restartedThrice: true });
      const crashed = await pod('crashy');
      expect(crashed.status?.phase).toBe('Running');
      expect(condition(crashed, 'Ready')?.status).toBe('False');
      expect(crashed.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);

      await core.patchNamespacedPod(
        { name: 'crashy', namespace, body: { metadata: { labels: { [podFaultLabel]: null } } } },
        mergePatch,
      );
      await expect.poll(async () => condition(await pod('crashy'), 'Ready')?.status, settle).toBe('True');
      const recovered = await pod('crashy');
      expect(recovered.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
      expect(recovered.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(3);
    });

    it('fails the image pull of a pod with the image-pull fault, and starts it when it is cleared', async () => {
      await createPod('unpullable', podFault(podFaults.imagePull));
      const reasons = new Set<string | undefined>();
      await expect
        .poll(async () => {
          reasons.add(waiting(await pod('unpullable')));
          return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
        }, settle)
        .toBe(true);
      const stuck = await pod('unpullable');
      expect(stuck.status?.phase).toBe('Pending');
      expect(condition(stuck, 'Ready')?.status).toBe('False');

      await core.patchNamespacedPod(
        { name: 'unpullable', namespace, body: { metadata: { labels: { [podFaultLabel]: null } } } },
        mergePatch,
      );
      await expect.poll(async () => condition(await pod('unpullable'), 'Ready')?.status, settle).toBe('True');
      expect((await pod('unpullable')).status?.phase).toBe('Running');
    });

    it('rolls a Deployment whose new pods crash-loop no further than maxUnavailable', async () => {
      await createDeployment('rollout', 2);
      await expect
        .poll(
          async () =>
            (await apps.readNamespacedDeployment({ name: 'rollout', namespace })).status?.availableReplicas,
          settle,
        )
        .toBe(2);
      await apps.patchNamespacedDeployment(
        {
          name: 'rollout',
          namespace,
          body: { spec: { template: { metadata: { labels: podFault(podFaults.crashLoop) } } } },
        },
        mergePatch,
      );
      await expect
        .poll(async () => {
          const pods = await core.listNamespacedPod({
            namespace,
            labelSelector: `app=rollout,${podFaultLabel}`,
          });
          return pods.items.filter((p) => waiting(p) === 'CrashLoopBackOff').length;
        }, settle)
        .toBeGreaterThan(0);
      const status = (await apps.readNamespacedDeployment({ name: 'rollout', namespace })).status;
      // Default strategy (25 % rounded): one new pod at a time may be up, none of the old ones may go.
      expect(status?.availableReplicas).toBe(2);
      expect(status?.updatedReplicas).toBe(1);
    });

    it('gives a DaemonSet one Ready pod on each fake node', async () => {
      const labels = { app: 'agent' };
      const nodeSelector = { 'eks.amazonaws.com/nodegroup': 'general' };
      await apps.createNamespacedDaemonSet({
        namespace,
        body: {
          metadata: { name: 'agent' },
          spec: {
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: { nodeSelector, containers: [{ name: 'agent', image: 'registry.example/agent:1.0' }] },
            },
          },
        },
      });
      await expect
        .poll(async () => {
          const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=agent' });
          return pods.items
            .filter((p) => condition(p, 'Ready')?.status === 'True')
            .map((p) => p.spec?.nodeName)
            .sort();
        }, settle)
        .toEqual(expect.arrayContaining([...kwokNodes].sort()));
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=agent' });
      const perNode = pods.items.filter((p) => kwokNodes.includes(p.spec?.nodeName ?? ''));
      expect(perNode).toHaveLength(kwokNodes.length);
    });

    it('gives a PodDisruptionBudget its status from the disruption controller', async () => {
      await policy.createNamespacedPodDisruptionBudget({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
        },
      });
      await expect
        .poll(
          async () => (await policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace })).status,
          settle,
        )
        .toMatchObject({ expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    });

    it('takes a node NotReady with the node fault, taints it, and brings it back when it is cleared', async () => {
      const nodeName = kwokNodes[0] ?? '';
      const node = () => core.readNode({ name: nodeName });
      const setFault = (value: string | null) =>
        core.patchNode(
          { name: nodeName, body: { metadata: { labels: { [nodeFaultLabel]: value } } } },
          mergePatch,
        );
      const taintKeys = async () => ((await node()).spec?.taints ?? []).map((t) => t.key);
      try {
        await setFault(nodeFaults.notReady);
        await expect
          .poll(async () => condition(await node(), 'Ready')?.status, settle)
          .toMatch(/^(False|Unknown)$/);
        await expect.poll(taintKeys, settle).toContain('node.kubernetes.io/not-ready');
      } finally {
        await setFault(null);
      }
      await expect.poll(async () => condition(await node(), 'Ready')?.status, settle).toBe('True');
      await expect.poll(taintKeys, settle).not.toContain('node.kubernetes.io/not-ready');
    });
  });
});
