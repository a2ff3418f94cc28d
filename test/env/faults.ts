/**
 * The switches tests flip to make kwok's fake kubelets misbehave, in one place: the kwok stages
 * (kwok-stages.ts) select on exactly these keys, and tests set them on a pod, a pod template or a node.
 *
 * Pod faults are a label, so a Deployment whose pod template carries one gets only failing pods (the
 * way a bad rollout looks); removing the label from a pod makes it start normally again.
 */

/** Pod label: the value names how every container of the pod fails. */
export const podFaultLabel = 'switchyard.test/fault';

export const podFaults = {
  /**
   * The container starts and exits with code 1 again and again: waiting CrashLoopBackOff, lastState
   * terminated, restartCount climbing about once a second, the pod Running but never Ready.
   */
  crashLoop: 'crash-loop',
  /** The image cannot be pulled: waiting ErrImagePull and ImagePullBackOff by turns, the pod Pending. */
  imagePull: 'image-pull',
} as const;
export type PodFault = (typeof podFaults)[keyof typeof podFaults];

/** Node label: the value names how the node's (fake) kubelet fails. */
export const nodeFaultLabel = 'switchyard.test/node-fault';

export const nodeFaults = {
  /**
   * The kubelet reports Ready=False (reason KubeletNotReady); the node-lifecycle controller then taints
   * the node not-ready. Removing the label makes it report Ready again.
   */
  notReady: 'not-ready',
} as const;
export type NodeFault = (typeof nodeFaults)[keyof typeof nodeFaults];

/** Labels that give a pod (or every pod of a pod template) a fault. */
export function podFault(fault: PodFault): Record<string, string> {
  return { [podFaultLabel]: fault };
}
