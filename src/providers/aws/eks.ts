import type { EKSClient } from '@aws-sdk/client-eks';
import type { Logger } from 'pino';
import type { ClusterProvisioner, FoundationObservation } from '../../domain/ports.js';
import {
  checkAddons,
  chooseAddonVersion,
  compatibleVersions,
  ensureAddons,
  wantedAddons,
} from './eks-addons.js';
import { type EksCatalogCache, eksCatalogCache } from './eks-catalog.js';
import { ensureCluster } from './eks-cluster.js';
import {
  assertOwned,
  type EksClusterTemplate,
  type EksContext,
  findCluster,
  permanent,
  promotionTag,
} from './eks-common.js';
import { checkNodeGroups, describeNodeGroups, ensureNodeGroups } from './eks-nodegroups.js';
import { teardownCluster } from './eks-teardown.js';
import { offeredKubernetesVersions } from './eks-versions.js';

export type { EksAddonTemplate, EksClusterTemplate, EksNodeGroupTemplate } from './eks-common.js';
export { promotionTag, roleTag } from './eks-common.js';

export interface EksProvisionerOptions {
  readonly client: EKSClient;
  /** How green is created; undefined when the platform adopts an existing green cluster. */
  readonly template: EksClusterTemplate | undefined;
  /**
   * Clusters teardown may delete without this promotion's tag on them: the platform's blue cluster,
   * for decommission. Any other cluster is deleted only if this promotion created it.
   */
  readonly allowUntagged?: readonly string[];
  readonly log?: Logger;
  /**
   * EKS's catalog answers (add-on and Kubernetes versions), shared with other provisioners of the same
   * account and region (one per process); without it the provisioner keeps its own.
   */
  readonly catalog?: EksCatalogCache;
  /** Clock for how old a kept catalog answer is (milliseconds); tests pass a fake one. */
  readonly now?: () => number;
}

/**
 * The EKS ClusterProvisioner. Every call observes first and then takes at most one idempotent step
 * (create what is missing, delete what remains), so a repeat after a requeue or a crash picks up where
 * the last pass stopped. Everything it creates carries the promotion id as a tag.
 */
export function createEksProvisioner(options: EksProvisionerOptions): ClusterProvisioner {
  const context: EksContext = {
    client: options.client,
    log: options.log,
    catalog: options.catalog ?? eksCatalogCache(options.now),
  };
  const allowUntagged = new Set(options.allowUntagged ?? []);
  return {
    async inspect({ name }) {
      const found = await findCluster(context.client, name);
      if (!found) return { exists: false };
      const createdBy = found.tags?.[promotionTag];
      return {
        exists: true,
        version: found.version ?? 'unknown',
        status: found.status ?? 'UNKNOWN',
        ...(createdBy === undefined ? {} : { createdBy }),
      };
    },

    offeredVersions: () => offeredKubernetesVersions(context),

    async addonVersions(version) {
      const template = options.template;
      if (template === undefined) return {};
      const chosen: Record<string, string> = {};
      for (const addon of wantedAddons(template.addons)) {
        chosen[addon.name] = chooseAddonVersion(
          addon,
          version,
          await compatibleVersions(context, addon.name, version),
        );
      }
      return chosen;
    },

    ensureCluster: (request) => ensureCluster({ ...context, template: options.template }, request),

    async ensureFoundation({ promotionId, cluster, version }): Promise<FoundationObservation> {
      const name = cluster.name;
      const template = cluster.adopted ? undefined : options.template;
      // What the template wants is read beside the cluster: its node groups as they stand, and the
      // add-on versions EKS offers (kept in the catalog cache, so later passes do not ask again).
      // Reads only; nothing is created before the cluster is found ours and ACTIVE.
      const described = template && describeNodeGroups(context, name, template);
      described?.catch(() => undefined);
      for (const addon of template ? wantedAddons(template.addons) : []) {
        compatibleVersions(context, addon.name, version).catch(() => undefined);
      }
      const found = await findCluster(context.client, name);
      if (!found) throw permanent(`EKS cluster ${name} does not exist`);
      if (!cluster.adopted) assertOwned(found, name, promotionId);
      if (found.status !== 'ACTIVE')
        return { ready: false, message: `EKS cluster ${name} is ${found.status}` };

      if (cluster.adopted) {
        const groups = await checkNodeGroups(context, name);
        if (!groups.ready) return groups;
        const addons = await checkAddons(context, name);
        return { ...addons, message: `${groups.message}; ${addons.message}` };
      }
      if (!template || !described)
        throw permanent(`cannot build the foundation of EKS cluster ${name}: no cluster template`);
      const request = { promotionId, clusterName: name, version };
      // Node groups first: coredns cannot become ACTIVE before there are nodes to run it on.
      const groups = await ensureNodeGroups(context, request, template, await described);
      if (!groups.ready) return groups;
      const addons = await ensureAddons(context, request, template.addons);
      return { ...addons, message: `${groups.message}; ${addons.message}` };
    },

    teardown: (request) => teardownCluster({ ...context, allowUntagged }, request),
  };
}
