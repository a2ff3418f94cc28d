import type { EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PlatformConfig } from '../config/schema.js';
import type { ClusterRef } from '../domain/promotion.js';
import { slotNames } from '../domain/slots.js';
import { eksKubeConfig } from '../providers/aws/eks-kubeconfig.js';
import { loadKubeConfig } from '../providers/kubernetes/kubeconfig.js';

/**
 * How the controller reaches a platform's clusters: the kubeconfig context the platform names for
 * the cluster's slot, else EKS (endpoint and CA from DescribeCluster, a get-token style bearer token). EKS
 * configs are cached per cluster; their tokens renew themselves.
 */
export function clusterAccess(
  platform: PlatformConfig,
  eks: EKSClient,
): (cluster: ClusterRef) => Promise<KubeConfig> {
  const cache = new Map<string, { readonly config: Promise<KubeConfig>; readonly at: number }>();
  const now = () => Date.now();
  // A cluster without its slot (rare: callers outside a promotion) is matched by a fixed slot name.
  const slotOf = (cluster: ClusterRef) =>
    cluster.slot ?? slotNames.find((slot) => platform.slots[slot].clusterName === cluster.name);
  return async (cluster) => {
    const slot = slotOf(cluster);
    const named = slot === undefined ? undefined : platform.slots[slot].kubeconfig;
    if (named) return loadKubeConfig(named);
    const cached = cache.get(cluster.name);
    if (cached && now() - cached.at < eksConfigTtlMs) return cached.config;
    const config = eksKubeConfig({ client: eks, clusterName: cluster.name });
    // A failed lookup (green not created yet, throttling) is tried again next time.
    config.catch(() => cache.delete(cluster.name));
    cache.set(cluster.name, { config, at: now() });
    return config;
  };
}

/**
 * A slot's cluster is deleted and created again under the same name by later promotions, with a new
 * endpoint and CA; a cached lookup is therefore only trusted for a few minutes.
 */
const eksConfigTtlMs = 5 * 60_000;
