/**
 * Pods the scheduler cannot place: asking for more memory than any fake node has (an m6i.large, see
 * kwok-nodes.ts) is the way a workload outgrows its node group.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { waitFor } from './wait-for.js';

export const tooMuchMemory = '64Gi';

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
