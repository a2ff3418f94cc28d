import {
  type Addon,
  type AddonVersionInfo,
  CreateAddonCommand,
  DescribeAddonCommand,
  paginateDescribeAddonVersions,
  paginateListAddons,
} from '@aws-sdk/client-eks';
import { naturalOrder } from '../../domain/natural-order.js';
import type { FoundationObservation } from '../../domain/ports.js';
import {
  type EksAddonTemplate,
  type EksContext,
  healthIssues,
  isInUse,
  permanent,
  promotionTag,
  requestToken,
  unlessNotFound,
} from './eks-common.js';
import { awsError, describing } from './errors.js';

/** What every cluster needs for pods to get addresses, names and service routing. */
export const defaultAddons: readonly EksAddonTemplate[] = [
  { name: 'vpc-cni' },
  { name: 'coredns' },
  { name: 'kube-proxy' },
];

/**
 * Add-on states that waiting will not fix. DEGRADED is not among them: coredns reports it while its
 * pods are still being scheduled, so it is waited on (the stage's timeout bounds the wait).
 */
const brokenStatuses = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DELETING', 'DELETE_FAILED']);

interface AddonRequest {
  readonly promotionId: string;
  readonly clusterName: string;
  readonly version: string;
}

/**
 * The versions EKS offers for `addonName` that are compatible with Kubernetes `kubernetesVersion`.
 * Asked once per add-on and version within the context's catalog cache (one per process: every
 * platform's dry runs and foundation passes share the answer, see eks-catalog.ts).
 */
export function compatibleVersions(
  context: EksContext,
  addonName: string,
  kubernetesVersion: string,
): Promise<AddonVersionInfo[]> {
  const cache = context.catalog;
  if (cache === undefined) return askCompatibleVersions(context, addonName, kubernetesVersion);
  return cache.get(`${addonName}@${kubernetesVersion}`, () =>
    askCompatibleVersions(context, addonName, kubernetesVersion),
  );
}

async function askCompatibleVersions(
  { client }: EksContext,
  addonName: string,
  kubernetesVersion: string,
): Promise<AddonVersionInfo[]> {
  const versions: AddonVersionInfo[] = [];
  await describing('list versions of', `add-on ${addonName}`, async () => {
    for await (const page of paginateDescribeAddonVersions({ client }, { addonName, kubernetesVersion })) {
      for (const addon of page.addons ?? []) {
        if (addon.addonName === addonName) versions.push(...(addon.addonVersions ?? []));
      }
    }
  });
  // The filter is EKS's; checking the compatibilities ourselves costs nothing and guards the choice.
  return versions.filter((v) => v.compatibilities?.some((c) => c.clusterVersion === kubernetesVersion));
}

/**
 * The version to install: the pinned one if it is compatible, else the one EKS marks as default for
 * the target, else the newest compatible one.
 */
export function chooseAddonVersion(
  addon: EksAddonTemplate,
  kubernetesVersion: string,
  compatible: readonly AddonVersionInfo[],
): string {
  const names = compatible.flatMap((v) => (v.addonVersion ? [v.addonVersion] : [])).sort(newestFirst);
  if (addon.version !== undefined) {
    if (names.includes(addon.version)) return addon.version;
    throw permanent(
      `add-on ${addon.name} version ${addon.version} is not compatible with Kubernetes ${kubernetesVersion} (compatible: ${names.join(', ') || 'none'})`,
    );
  }
  const preferred = compatible.find((v) =>
    v.compatibilities?.some((c) => c.clusterVersion === kubernetesVersion && c.defaultVersion === true),
  );
  const chosen = preferred?.addonVersion ?? names[0];
  if (chosen === undefined) {
    throw permanent(`add-on ${addon.name} has no version compatible with Kubernetes ${kubernetesVersion}`);
  }
  return chosen;
}

/** "v1.18.10-eksbuild.2" before "v1.18.9-eksbuild.11": numbers compare as numbers. */
function newestFirst(a: string, b: string): number {
  return naturalOrder(b, a);
}

/** The add-ons a template installs: those it names, or EKS's defaults when it names none. */
export function wantedAddons(template: readonly EksAddonTemplate[]): readonly EksAddonTemplate[] {
  return template.length === 0 ? defaultAddons : template;
}

export async function describeAddon(
  { client }: EksContext,
  clusterName: string,
  addonName: string,
): Promise<Addon | undefined> {
  const output = await unlessNotFound('describe', `add-on ${addonName} on ${clusterName}`, () =>
    client.send(new DescribeAddonCommand({ clusterName, addonName })),
  );
  return output?.addon;
}

/**
 * One pass over the template's add-ons: choose each version, describe what is installed, then create
 * the missing ones (the one step), or wait until all are ACTIVE. When every create call answers with
 * an add-on already ACTIVE, the pass judges them at once instead of coming back to describe them.
 */
export async function ensureAddons(
  context: EksContext,
  request: AddonRequest,
  template: readonly EksAddonTemplate[],
): Promise<FoundationObservation> {
  const { clusterName, version } = request;
  const wanted = wantedAddons(template);
  const observed = await Promise.all(
    wanted.map(async (addon) => {
      const [compatible, installed] = await Promise.all([
        compatibleVersions(context, addon.name, version),
        describeAddon(context, clusterName, addon.name),
      ]);
      const chosen = chooseAddonVersion(addon, version, compatible);
      if (installed) checkInstalled(addon, installed, compatible, request);
      return { addon, chosen, installed };
    }),
  );
  const missing = observed.filter((o) => o.installed === undefined);
  const present = observed.flatMap((o) => (o.installed ? [o.installed] : []));
  if (missing.length > 0) {
    const created = await Promise.all(
      missing.map((o) => createAddon(context, request, o.addon.name, o.chosen)),
    );
    const names = missing.map((o) => `${o.addon.name} ${o.chosen}`).join(', ');
    const installing = { ready: false, message: `installing add-ons ${names} on ${clusterName}` };
    // A create that found the add-on already there (a crashed pass made it) returns nothing to judge.
    if (created.some((addon) => addon === undefined)) return installing;
    const judged = judge(clusterName, [...present, ...created.flatMap((a) => (a ? [a] : []))]);
    return judged.ready ? judged : installing;
  }
  return judge(clusterName, present);
}

/** For an adopted cluster: whatever managed add-ons it has must become ACTIVE; nothing is installed. */
export async function checkAddons(context: EksContext, clusterName: string): Promise<FoundationObservation> {
  const names = await describing('list add-ons on', clusterName, async () => {
    const found: string[] = [];
    for await (const page of paginateListAddons({ client: context.client }, { clusterName })) {
      found.push(...(page.addons ?? []));
    }
    return found;
  });
  const installed = await Promise.all(names.map((name) => describeAddon(context, clusterName, name)));
  return judge(
    clusterName,
    installed.flatMap((a) => (a ? [a] : [])),
  );
}

/** An add-on already there (created by an earlier pass, or by hand) must still be one we would accept. */
function checkInstalled(
  addon: EksAddonTemplate,
  installed: Addon,
  compatible: readonly AddonVersionInfo[],
  { clusterName, version }: AddonRequest,
): void {
  const at = installed.addonVersion;
  if (addon.version !== undefined && at !== addon.version) {
    throw permanent(
      `add-on ${addon.name} on ${clusterName} is at ${at}, but the template pins ${addon.version}`,
    );
  }
  if (!compatible.some((v) => v.addonVersion === at)) {
    throw permanent(
      `add-on ${addon.name} on ${clusterName} is at ${at}, which is not compatible with Kubernetes ${version}`,
    );
  }
}

function judge(clusterName: string, addons: readonly Addon[]): FoundationObservation {
  for (const addon of addons) {
    if (brokenStatuses.has(addon.status ?? '')) {
      throw permanent(
        `add-on ${addon.addonName} on ${clusterName} is ${addon.status}${healthIssues(addon.health)}`,
      );
    }
  }
  const states = addons.map((a) => `${a.addonName} ${a.addonVersion} ${a.status}`).join(', ');
  const message = `add-ons on ${clusterName}: ${states || 'none'}`;
  if (!addons.every((a) => a.status === 'ACTIVE')) return { ready: false, message };
  const versions = Object.fromEntries(addons.map((a) => [a.addonName ?? '', a.addonVersion ?? '']));
  return { ready: true, message, addons: versions };
}

async function createAddon(
  { client, log }: EksContext,
  { promotionId, clusterName }: AddonRequest,
  addonName: string,
  addonVersion: string,
): Promise<Addon | undefined> {
  try {
    const output = await client.send(
      new CreateAddonCommand({
        clusterName,
        addonName,
        addonVersion,
        // EKS installs self-managed copies of the default add-ons with every cluster; take them over.
        resolveConflicts: 'OVERWRITE',
        tags: { [promotionTag]: promotionId },
        clientRequestToken: requestToken(`${promotionId}-addon-${addonName}`),
      }),
    );
    log?.info(
      { cluster: clusterName, addon: addonName, version: addonVersion },
      `installed add-on ${addonName}`,
    );
    return output.addon;
  } catch (error) {
    // Created by a pass that crashed before it could see the result: the next describe finds it.
    if (!isInUse(error)) throw awsError('create', `add-on ${addonName} on ${clusterName}`, error);
    return undefined;
  }
}
