/**
 * Waits for workloads the test clusters' own controllers report on: a Deployment or DaemonSet is judged
 * only from the status its controller wrote for the current spec (observedGeneration caught up).
 */
import type { AppsV1Api, V1DaemonSet, V1Deployment } from '@kubernetes/client-node';
import { waitFor } from './wait-for.js';

type DeploymentStatus = NonNullable<V1Deployment['status']>;

/** True once the controller's status describes the object's current generation. */
function caughtUp(object: V1Deployment | V1DaemonSet): boolean {
  const observed = object.status?.observedGeneration;
  return observed !== undefined && observed >= (object.metadata?.generation ?? 0);
}

/**
 * Waits until the Deployment controller has reported on the current spec and `accept` holds for its
 * status; returns the Deployment as read then.
 */
export function deploymentReported(
  apps: AppsV1Api,
  namespace: string,
  name: string,
  accept: (status: DeploymentStatus, desired: number) => boolean,
  what: string,
): Promise<V1Deployment> {
  return waitFor(async () => {
    const deployment = await apps.readNamespacedDeployment({ namespace, name });
    const desired = deployment.spec?.replicas ?? 1;
    return caughtUp(deployment) && accept(deployment.status ?? {}, desired) && deployment;
  }, `Deployment ${namespace}/${name} ${what}`);
}

/** Every desired replica runs the current template and is ready and available; no old replicas left. */
export function deploymentRolledOut(apps: AppsV1Api, namespace: string, name: string): Promise<V1Deployment> {
  return deploymentReported(
    apps,
    namespace,
    name,
    (s, desired) =>
      (s.replicas ?? 0) === desired &&
      (s.updatedReplicas ?? 0) === desired &&
      (s.readyReplicas ?? 0) === desired &&
      (s.availableReplicas ?? 0) === desired,
    'rolled out and available',
  );
}

/** The DaemonSet has a pod on each node it targets, every one updated, ready and available. */
export function daemonSetRolledOut(apps: AppsV1Api, namespace: string, name: string): Promise<V1DaemonSet> {
  return waitFor(async () => {
    const daemonSet = await apps.readNamespacedDaemonSet({ namespace, name });
    const s = daemonSet.status;
    const desired = s?.desiredNumberScheduled ?? 0;
    const everywhere =
      desired > 0 &&
      s?.currentNumberScheduled === desired &&
      s.updatedNumberScheduled === desired &&
      s.numberReady === desired &&
      s.numberAvailable === desired;
    return caughtUp(daemonSet) && everywhere && daemonSet;
  }, `DaemonSet ${namespace}/${name} ready on every node it targets`);
}
