import type { EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PlatformConfig } from '../config/schema.js';
import type { ClusterRef } from '../domain/promotion.js';
import { eksKubeConfig } from '../providers/aws/eks-kubeconfig.js';
import { loadKubeConfig } from '../providers/kubernetes/kubeconfig.js';

/**
 * How the controller reaches a platform's clusters: the kubeconfig context the platform names for
 * blue or green, else EKS (endpoint and CA from DescribeCluster, a get-token style bearer token). EKS
 * configs are cached per cluster; their tokens renew themselves.
 */
export function clusterAccess(
  platform: PlatformConfig,
  eks: EKSClient,
): (cluster: ClusterRef) => Promise<KubeConfig> {
  const cache = new Map<string, Promise<KubeConfig>>();
  return async (cluster) => {
    const named =
      cluster.name === platform.blue.clusterName
        ? platform.blue.kubeconfig
        : cluster.name === platform.green.clusterName
          ? platform.green.kubeconfig
          : undefined;
    if (named) return loadKubeConfig(named);
    let config = cache.get(cluster.name);
    if (!config) {
      config = eksKubeConfig({ client: eks, clusterName: cluster.name });
      // A failed lookup (green not created yet, throttling) is tried again next time.
      config.catch(() => cache.delete(cluster.name));
      cache.set(cluster.name, config);
    }
    return config;
  };
}
