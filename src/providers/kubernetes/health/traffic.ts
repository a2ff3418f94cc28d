import type { V1Deployment } from '@kubernetes/client-node';
import type { Observation } from '../../../domain/ports.js';
import { type KubeClients, listAll } from './kube-client.js';
import { listSome, plural } from './verdict.js';

/** Why one Deployment cannot take traffic, or undefined when it can. */
export function deploymentNotReady(deployment: V1Deployment): string | undefined {
  const name = `${deployment.metadata?.namespace ?? '?'}/${deployment.metadata?.name ?? '?'}`;
  const desired = deployment.spec?.replicas ?? 1;
  const generation = deployment.metadata?.generation ?? 0;
  const observed = deployment.status?.observedGeneration;
  if (observed === undefined || observed < generation) {
    return `${name}: controller has not observed generation ${generation} yet`;
  }
  const available = deployment.status?.availableReplicas ?? 0;
  // Scaled to zero on purpose: nothing to wait for.
  if (desired === 0) return undefined;
  if (available < desired) return `${name}: ${available} of ${desired} replicas available`;
  return undefined;
}

/**
 * Ready when every namespace has Deployments and all of them are available. A namespace without any
 * Deployment is not ready: on a cluster about to take traffic that means the services are not there.
 */
export function judgeTrafficReadiness(
  cluster: string,
  byNamespace: ReadonlyMap<string, readonly V1Deployment[]>,
): Observation {
  const problems: string[] = [];
  let total = 0;
  for (const [namespace, deployments] of byNamespace) {
    total += deployments.length;
    if (deployments.length === 0) problems.push(`namespace ${namespace} has no Deployments`);
    for (const deployment of deployments) {
      const problem = deploymentNotReady(deployment);
      if (problem) problems.push(problem);
    }
  }
  const namespaces = [...byNamespace.keys()].join(', ');
  if (problems.length > 0) {
    return { ready: false, message: `${cluster}: not ready for traffic: ${listSome(problems)}` };
  }
  return {
    ready: true,
    message: `${cluster}: all ${plural(total, 'Deployment')} available in ${namespaces}`,
  };
}

export async function checkTrafficReadiness(
  clients: KubeClients,
  namespaces: readonly string[],
): Promise<Observation> {
  const cluster = clients.cluster.name;
  if (namespaces.length === 0) {
    return { ready: true, message: `${cluster}: no service namespaces configured, nothing to wait for` };
  }
  const lists = await Promise.all(
    namespaces.map((namespace) =>
      listAll(clients, `list Deployments in namespace ${namespace}`, (page, options) =>
        clients.apps.listNamespacedDeployment({ ...page, namespace }, options),
      ),
    ),
  );
  const byNamespace = new Map(namespaces.map((namespace, i) => [namespace, lists[i] ?? []]));
  return judgeTrafficReadiness(cluster, byNamespace);
}
