/**
 * Breaking a world's workloads the way production breaks them, through kwok (see faults.ts): the
 * clusters' own controllers then report what follows (a Deployment losing availability, a rollout that
 * stalls). Nothing here writes a workload's status.
 */
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { type PodFault, podFaultLabel, podFaults } from './faults.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A JSON merge patch key for a label: null removes it. */
const faultLabel = (fault: PodFault | null) => ({ metadata: { labels: { [podFaultLabel]: fault } } });

/**
 * Every running pod of the Deployment fails with `fault` (null: starts normally again). The Deployment
 * keeps its template, so nothing rolls out: it just loses its available replicas, as when a dependency
 * of a healthy service goes away.
 */
export async function failPods(
  cluster: KubeConfig,
  namespace: string,
  deployment: string,
  fault: PodFault | null = podFaults.crashLoop,
): Promise<void> {
  const apps = cluster.makeApiClient(AppsV1Api);
  const core = cluster.makeApiClient(CoreV1Api);
  const found = await apps.readNamespacedDeployment({ namespace, name: deployment });
  const selector = Object.entries(found.spec?.selector.matchLabels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const pods = await core.listNamespacedPod({ namespace, labelSelector: selector });
  for (const pod of pods.items) {
    const name = pod.metadata?.name;
    if (name) await core.patchNamespacedPod({ namespace, name, body: faultLabel(fault) }, merge);
  }
}

/**
 * A rollout whose new pods cannot start (`fault` in the pod template; null rolls back to the template
 * without it). A Deployment's old ReplicaSet keeps serving while the rollout never completes; a
 * DaemonSet replaces one node's pod (maxUnavailable 1) and that node's new pod never runs.
 */
export async function stallRollout(
  cluster: KubeConfig,
  namespace: string,
  name: string,
  fault: PodFault | null = podFaults.imagePull,
  kind: 'Deployment' | 'DaemonSet' = 'Deployment',
): Promise<void> {
  const apps = cluster.makeApiClient(AppsV1Api);
  const body = { spec: { template: faultLabel(fault) } };
  if (kind === 'DaemonSet') await apps.patchNamespacedDaemonSet({ namespace, name, body }, merge);
  else await apps.patchNamespacedDeployment({ namespace, name, body }, merge);
}

/**
 * A pod no node can take (its nodeSelector matches none), as when a node group is out of capacity: the
 * scheduler leaves it Pending with reason Unschedulable. Returns how to remove it again.
 */
export async function addUnschedulablePod(
  cluster: KubeConfig,
  namespace: string,
  name = 'waits-for-capacity',
): Promise<() => Promise<void>> {
  const core = cluster.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name },
      spec: {
        nodeSelector: { 'node.kubernetes.io/instance-type': 'p5.48xlarge' },
        containers: [{ name: 'main', image: 'registry.example/batch:1.0' }],
      },
    },
  });
  return async () => {
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  };
}
