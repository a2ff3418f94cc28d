/**
 * Nodes a test adds for itself, so that breaking one does not disturb the environment's shared fake
 * nodes: kwok plays their kubelet (it manages every node with its annotation, see kwok-nodes.ts) and
 * reports them Ready, or NotReady given the node fault (faults.ts). A taint keeps every pod off them.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { type NodeFault, nodeFaultLabel } from '../../env/faults.js';
import { kwokNodeAnnotation } from '../../env/kwok-nodes.js';

export const testNodeTaint = { key: 'switchyard.test/dedicated', value: 'node-checks', effect: 'NoSchedule' };

export interface TestNodeOptions {
  readonly labels: Readonly<Record<string, string>>;
  /** How its kubelet fails; none: it reports Ready. */
  readonly fault?: NodeFault;
  /**
   * False: no kubelet ever reports for it (kwok leaves it alone), like a node that registered and has not
   * posted its status yet. The node-lifecycle controller marks such a node Unknown only after its
   * startup grace (60 s), so it stays without conditions for the length of a test.
   */
  readonly kubelet?: boolean;
}

/** Creates the node; the caller deletes it (e.g. by one of its labels) when done. */
export async function createTestNode(core: CoreV1Api, name: string, options: TestNodeOptions): Promise<void> {
  const kubelet = options.kubelet ?? true;
  await core.createNode({
    body: {
      metadata: {
        name,
        labels: { ...options.labels, ...(options.fault ? { [nodeFaultLabel]: options.fault } : {}) },
        ...(kubelet ? { annotations: { [kwokNodeAnnotation.key]: kwokNodeAnnotation.value } } : {}),
      },
      spec: { taints: [testNodeTaint] },
    },
  });
}

/** The status of the node's Ready condition ("True", "False", "Unknown"), or undefined if it has none. */
export async function nodeReadiness(core: CoreV1Api, name: string): Promise<string | undefined> {
  const node = await core.readNode({ name });
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}
