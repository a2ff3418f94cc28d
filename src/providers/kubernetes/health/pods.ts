import type { V1Pod } from '@kubernetes/client-node';
import { type KubeClients, listAll } from './kube-client.js';

/** Every pod in `namespaces` (all namespaces when undefined), read once and shared by the pod checks. */
export async function listPods(
  clients: KubeClients,
  namespaces: readonly string[] | undefined,
): Promise<V1Pod[]> {
  if (namespaces === undefined) {
    return listAll(clients, 'list pods in all namespaces', (page, options) =>
      clients.core.listPodForAllNamespaces(page, options),
    );
  }
  const perNamespace = await Promise.all(
    namespaces.map((namespace) =>
      listAll(clients, `list pods in namespace ${namespace}`, (page, options) =>
        clients.core.listNamespacedPod({ ...page, namespace }, options),
      ),
    ),
  );
  return perNamespace.flat();
}

export function podName(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? '?'}/${pod.metadata?.name ?? '?'}`;
}

export function describeScope(namespaces: readonly string[] | undefined): string {
  return namespaces === undefined ? 'all namespaces' : `namespaces ${namespaces.join(', ')}`;
}
