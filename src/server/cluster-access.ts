import { statSync } from 'node:fs';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PlatformConfig } from '../config/schema.js';
import type { ClusterRef } from '../domain/promotion.js';
import { slotNames } from '../domain/slots.js';
import { eksKubeConfig } from '../providers/aws/eks-kubeconfig.js';
import { createKubeConnections, type KubeConnections } from '../providers/kubernetes/connections.js';
import { type KubeconfigSource, loadKubeConfig } from '../providers/kubernetes/kubeconfig.js';

/**
 * The process's way into clusters, shared by every platform: one KubeConfig per kubeconfig file and
 * context (read again only when the file changes) and per EKS cluster (looked up again after a few
 * minutes), all on the same shared agents. Every platform and promotion on one cluster so
 * reuses one KubeConfig object, and the API clients built on it (see kube-client.ts).
 */
export interface ClusterConfigs {
  fromFile(source: KubeconfigSource): KubeConfig;
  fromEks(clusterName: string): Promise<KubeConfig>;
  /** Destroys the shared agents and their sockets (at shutdown). */
  close(): void;
}

export function clusterConfigs(eks: EKSClient, now: () => number = Date.now): ClusterConfigs {
  const connections: KubeConnections = createKubeConnections();
  const files = new Map<string, { readonly config: KubeConfig; readonly modifiedMs: number }>();
  const clusters = new Map<string, { readonly config: Promise<KubeConfig>; readonly at: number }>();
  return {
    fromFile(source) {
      const key = `${source.path}\0${source.context}`;
      // A missing file falls through to loadKubeConfig, which says which file it could not read.
      const modifiedMs = modified(source.path);
      const cached = files.get(key);
      if (cached && cached.modifiedMs === modifiedMs) return cached.config;
      const config = connections.share(loadKubeConfig(source));
      files.set(key, { config, modifiedMs });
      return config;
    },
    fromEks(clusterName) {
      const cached = clusters.get(clusterName);
      if (cached && now() - cached.at < eksConfigTtlMs) return cached.config;
      const config = eksKubeConfig({ client: eks, clusterName }).then((c) => connections.share(c));
      // A failed lookup (green not created yet, throttling) is tried again next time.
      config.catch(() => {
        if (clusters.get(clusterName)?.config === config) clusters.delete(clusterName);
      });
      clusters.set(clusterName, { config, at: now() });
      return config;
    },
    close() {
      connections.close();
      files.clear();
      clusters.clear();
    },
  };
}

/**
 * How the controller reaches a platform's clusters: the kubeconfig context the platform names for
 * the cluster's slot, else EKS (endpoint and CA from DescribeCluster, a get-token style bearer token,
 * renewed by itself).
 */
export function clusterAccess(
  platform: PlatformConfig,
  configs: ClusterConfigs,
): (cluster: ClusterRef) => Promise<KubeConfig> {
  // A cluster without its slot (rare: callers outside a promotion) is matched by a fixed slot name.
  const slotOf = (cluster: ClusterRef) =>
    cluster.slot ?? slotNames.find((slot) => platform.slots[slot].clusterName === cluster.name);
  return async (cluster) => {
    const slot = slotOf(cluster);
    const named = slot === undefined ? undefined : platform.slots[slot].kubeconfig;
    if (named) return configs.fromFile(named);
    return configs.fromEks(cluster.name);
  };
}

function modified(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

/**
 * A slot's cluster is deleted and created again under the same name by later promotions, with a new
 * endpoint and CA; a cached lookup is therefore only trusted for a few minutes.
 */
const eksConfigTtlMs = 5 * 60_000;
