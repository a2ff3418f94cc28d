import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { CheckResult, Observation } from '../../../domain/ports.js';
import { type KubeClients, listAll } from './kube-client.js';
import { listPods } from './pods.js';
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

/** What `judge` finds wrong with each Deployment, plus every namespace that has none; and how many there are. */
function deploymentProblems(
  byNamespace: ReadonlyMap<string, readonly V1Deployment[]>,
  judge: (deployment: V1Deployment) => string | undefined,
): { problems: string[]; total: number } {
  const problems: string[] = [];
  let total = 0;
  for (const [namespace, deployments] of byNamespace) {
    total += deployments.length;
    if (deployments.length === 0) problems.push(`namespace ${namespace} has no Deployments`);
    for (const deployment of deployments) {
      const problem = judge(deployment);
      if (problem) problems.push(problem);
    }
  }
  return { problems, total };
}

/**
 * Ready when every namespace has Deployments and all of them are available. A namespace without any
 * Deployment is not ready: on a cluster about to take traffic that means the services are not there.
 */
export function judgeTrafficReadiness(
  cluster: string,
  byNamespace: ReadonlyMap<string, readonly V1Deployment[]>,
): Observation {
  const { problems, total } = deploymentProblems(byNamespace, deploymentNotReady);
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
  const byNamespace = await listByNamespace(clients, namespaces);
  return judgeTrafficReadiness(cluster, byNamespace);
}

/**
 * Why one Deployment is not serving, or undefined when it is. While a cluster holds traffic the
 * Deployment controller's own Available condition is the judge: it allows the rollout's maxUnavailable,
 * so an autoscaler adding replicas under new traffic is not taken for a degradation.
 */
export function deploymentUnavailable(deployment: V1Deployment): string | undefined {
  const name = `${deployment.metadata?.namespace ?? '?'}/${deployment.metadata?.name ?? '?'}`;
  if ((deployment.spec?.replicas ?? 1) === 0) return undefined;
  const available = deployment.status?.conditions?.find((c) => c.type === 'Available');
  if (available === undefined) return `${name}: no Available condition yet`;
  if (available.status === 'True') return undefined;
  const counts = `${deployment.status?.availableReplicas ?? 0} of ${deployment.spec?.replicas ?? 1} available`;
  return `${name}: unavailable (${counts}${available.message ? `: ${available.message}` : ''})`;
}

async function listByNamespace(
  clients: KubeClients,
  namespaces: readonly string[],
): Promise<Map<string, readonly V1Deployment[]>> {
  const lists = await Promise.all(
    namespaces.map((namespace) =>
      listAll(clients, `list Deployments in namespace ${namespace}`, (page, options) =>
        clients.apps.listNamespacedDeployment({ ...page, namespace }, options),
      ),
    ),
  );
  return new Map(namespaces.map((namespace, i) => [namespace, lists[i] ?? []]));
}

/**
 * A cluster holding traffic serves well when every service namespace has Deployments, all Available,
 * and none of their containers is failing: a crash loop while replicas are still available is a
 * degradation too, caught before the Deployment runs out of ready pods.
 */
export function judgeServing(
  cluster: string,
  byNamespace: ReadonlyMap<string, readonly V1Deployment[]>,
  podErrors: CheckResult,
): Observation {
  const { problems, total } = deploymentProblems(byNamespace, deploymentUnavailable);
  if (podErrors.verdict === 'fail') problems.push(podErrors.evidence);
  if (problems.length > 0) return { ready: false, message: `${cluster}: degraded: ${listSome(problems)}` };
  return {
    ready: true,
    message: `${cluster}: ${plural(total, 'Deployment')} available; ${podErrors.evidence}`,
  };
}

/** Services and their pods on a cluster that holds traffic (see judgeServing). */
export async function checkServing(
  clients: KubeClients,
  namespaces: readonly string[],
  judgePods: (pods: readonly V1Pod[]) => CheckResult,
): Promise<Observation> {
  const cluster = clients.cluster.name;
  if (namespaces.length === 0) {
    return { ready: true, message: `${cluster}: no service namespaces configured, nothing to watch` };
  }
  const [byNamespace, pods] = await Promise.all([
    listByNamespace(clients, namespaces),
    listPods(clients, namespaces),
  ]);
  return judgeServing(cluster, byNamespace, judgePods(pods));
}
