/**
 * What a namespace holds of the kinds the service deployer copies, with each object's resourceVersion:
 * two reads compared show whether anything in the namespace was written in between.
 */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
} from '@kubernetes/client-node';

interface Listed {
  readonly items: readonly { readonly metadata?: { name?: string; resourceVersion?: string } }[];
}

/** resourceVersion by "Kind/name" (the namespace itself under "Namespace"). */
export async function namespaceVersions(
  cluster: KubeConfig,
  namespace: string,
): Promise<Record<string, string | undefined>> {
  const core = cluster.makeApiClient(CoreV1Api);
  const apps = cluster.makeApiClient(AppsV1Api);
  const autoscaling = cluster.makeApiClient(AutoscalingV2Api);
  const policy = cluster.makeApiClient(PolicyV1Api);
  const networking = cluster.makeApiClient(NetworkingV1Api);
  const byKind: Record<string, Promise<Listed>> = {
    ConfigMap: core.listNamespacedConfigMap({ namespace }),
    Secret: core.listNamespacedSecret({ namespace }),
    ServiceAccount: core.listNamespacedServiceAccount({ namespace }),
    Service: core.listNamespacedService({ namespace }),
    Deployment: apps.listNamespacedDeployment({ namespace }),
    HorizontalPodAutoscaler: autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }),
    PodDisruptionBudget: policy.listNamespacedPodDisruptionBudget({ namespace }),
    Ingress: networking.listNamespacedIngress({ namespace }),
  };
  const entries = await Promise.all(
    Object.entries(byKind).map(async ([kind, listed]) =>
      (await listed).items.map((item) => [`${kind}/${item.metadata?.name}`, item.metadata?.resourceVersion]),
    ),
  );
  const namespaceObject = await core.readNamespace({ name: namespace });
  return Object.fromEntries([...entries.flat(), ['Namespace', namespaceObject.metadata?.resourceVersion]]);
}
