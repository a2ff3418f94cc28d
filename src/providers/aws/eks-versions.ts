import { type EKSClient, paginateDescribeClusterVersions, VersionStatus } from '@aws-sdk/client-eks';
import { naturalOrder } from '../../domain/natural-order.js';
import type { EksContext } from './eks-common.js';
import { describing } from './errors.js';

/** Support states in which EKS still creates clusters; the other one is UNSUPPORTED. */
const offeredStatuses: ReadonlySet<string> = new Set([
  VersionStatus.STANDARD_SUPPORT,
  VersionStatus.EXTENDED_SUPPORT,
]);

/**
 * The Kubernetes minor versions ("1.35") EKS offers for new clusters, oldest first, kept in the
 * context's catalog cache (see eks-catalog.ts). Asks for every
 * version (includeAll) and keeps those in standard or extended support, so the answer rests on each
 * version's status and not on which versions EKS leaves out by default, which its API does not say.
 */
export function offeredKubernetesVersions(context: EksContext): Promise<readonly string[]> {
  const ask = () => askOfferedVersions(context.client);
  return context.catalog === undefined ? ask() : context.catalog.get('kubernetes-versions', ask);
}

async function askOfferedVersions(client: EKSClient): Promise<readonly string[]> {
  const offered = new Set<string>();
  await describing('list', 'EKS Kubernetes versions', async () => {
    for await (const page of paginateDescribeClusterVersions({ client }, { includeAll: true })) {
      for (const version of page.clusterVersions ?? []) {
        if (version.clusterVersion && offeredStatuses.has(version.versionStatus ?? '')) {
          offered.add(version.clusterVersion);
        }
      }
    }
  });
  // "1.9" before "1.10".
  return [...offered].sort(naturalOrder);
}
