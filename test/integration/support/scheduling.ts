/**
 * Bare pods, and pods the scheduler cannot place: asking for more memory than any fake node has (an
 * m6i.large, see kwok-nodes.ts) is the way a workload outgrows its node group.
 */
import type { CoreV1Api, V1Container } from '@kubernetes/client-node';
import { waitFor } from './wait-for.js';

export const tooMuchMemory = '64Gi';

/** A pod of one container; `labels` may carry a kwok fault (faults.ts), `memory` a request to make. */
export async function createPod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  options: { labels?: Record<string, string>; memory?: string } = {},
): Promise<void> {
  const container: V1Container = { name: 'app', image: 'registry.example/app:1.0' };
  if (options.memory) container.resources = { requests: { memory: options.memory } };
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name, labels: options.labels ?? {} }, spec: { containers: [container] } },
  });
}

/** The start of the scheduler's message for such a pod on a cluster of `nodes` nodes, as a RegExp source. */
export function noMemoryOn(nodes: number): string {
  return `0/${nodes} nodes are available: ${nodes} Insufficient memory\\.`;
}

/** Waits for the scheduler to give up on the pod; returns when it did (PodScheduled's transition, ms). */
export async function unschedulableSince(core: CoreV1Api, namespace: string, name: string): Promise<number> {
  const scheduled = await waitFor(async () => {
    const pod = await core.readNamespacedPod({ namespace, name });
    const found = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    return found?.status === 'False' && found.reason === 'Unschedulable' && found;
  }, `pod ${namespace}/${name} to be found unschedulable`);
  return new Date(scheduled.lastTransitionTime ?? 0).getTime();
}
