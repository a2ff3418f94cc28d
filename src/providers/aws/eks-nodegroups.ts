import {
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  type Nodegroup,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import type { Observation } from '../../domain/ports.js';
import {
  type EksClusterTemplate,
  type EksContext,
  type EksNodeGroupTemplate,
  healthIssues,
  isInUse,
  permanent,
  promotionTag,
  requestToken,
  unlessNotFound,
} from './eks-common.js';
import { awsError, describing } from './errors.js';

/** Node group states that waiting will not fix. */
const brokenStatuses = new Set(['CREATE_FAILED', 'DEGRADED', 'DELETING', 'DELETE_FAILED']);

export async function describeNodegroup(
  { client }: EksContext,
  clusterName: string,
  nodegroupName: string,
): Promise<Nodegroup | undefined> {
  const output = await unlessNotFound('describe', `node group ${nodegroupName} on ${clusterName}`, () =>
    client.send(new DescribeNodegroupCommand({ clusterName, nodegroupName })),
  );
  return output?.nodegroup;
}

export async function listNodegroups({ client }: EksContext, clusterName: string): Promise<string[]> {
  return describing('list node groups on', clusterName, async () => {
    const names: string[] = [];
    for await (const page of paginateListNodegroups({ client }, { clusterName })) {
      names.push(...(page.nodegroups ?? []));
    }
    return names;
  });
}

/** The template's node groups as EKS describes them (`found` undefined for one not there). */
export type DescribedNodeGroups = readonly {
  readonly group: EksNodeGroupTemplate;
  readonly found: Nodegroup | undefined;
}[];

export function describeNodeGroups(
  context: EksContext,
  clusterName: string,
  template: EksClusterTemplate,
): Promise<DescribedNodeGroups> {
  return Promise.all(
    template.nodeGroups.map(async (group) => ({
      group,
      found: await describeNodegroup(context, clusterName, group.name),
    })),
  );
}

/**
 * One pass over the template's node groups, from their descriptions (taken this pass): create the
 * missing ones (the one step), or report which are still coming up. When every create call answers
 * with a group that is already ACTIVE, the pass judges them at once instead of coming back to
 * describe them.
 */
export async function ensureNodeGroups(
  context: EksContext,
  request: { readonly promotionId: string; readonly clusterName: string; readonly version: string },
  template: EksClusterTemplate,
  observed: DescribedNodeGroups,
): Promise<Observation> {
  const { clusterName } = request;
  const missing = observed.filter((o) => o.found === undefined).map((o) => o.group);
  const present = observed.flatMap((o) => (o.found ? [o.found] : []));
  if (missing.length > 0) {
    const created = await Promise.all(
      missing.map((group) => createNodegroup(context, request, template, group)),
    );
    const names = missing.map((g) => g.name).join(', ');
    const creating = { ready: false, message: `creating node groups ${names} on ${clusterName}` };
    // A create that found the group already there (a crashed pass made it) returns nothing to judge.
    if (created.some((group) => group === undefined)) return creating;
    const judged = judge(clusterName, [...present, ...created.flatMap((g) => (g ? [g] : []))]);
    return judged.ready ? judged : creating;
  }
  return judge(clusterName, present);
}

/** For an adopted cluster: whatever managed node groups it has must be healthy; nothing is created. */
export async function checkNodeGroups(context: EksContext, clusterName: string): Promise<Observation> {
  const names = await listNodegroups(context, clusterName);
  if (names.length === 0) {
    // Nodes may come from Karpenter, Fargate or self-managed groups; qualification checks real nodes.
    return { ready: true, message: `adopted cluster ${clusterName} has no managed node groups` };
  }
  const found = await Promise.all(names.map((name) => describeNodegroup(context, clusterName, name)));
  return judge(
    clusterName,
    found.flatMap((group) => (group ? [group] : [])),
  );
}

function judge(clusterName: string, groups: readonly Nodegroup[]): Observation {
  for (const group of groups) {
    if (brokenStatuses.has(group.status ?? '')) {
      throw permanent(
        `node group ${group.nodegroupName} on ${clusterName} is ${group.status}${healthIssues(group.health)}`,
      );
    }
  }
  const states = groups.map((g) => `${g.nodegroupName} ${g.status}`).join(', ');
  const ready = groups.every((g) => g.status === 'ACTIVE');
  return { ready, message: `node groups on ${clusterName}: ${states || 'none'}` };
}

async function createNodegroup(
  { client, log }: EksContext,
  request: { readonly promotionId: string; readonly clusterName: string; readonly version: string },
  template: EksClusterTemplate,
  group: EksNodeGroupTemplate,
): Promise<Nodegroup | undefined> {
  const { clusterName, promotionId } = request;
  try {
    const output = await client.send(
      new CreateNodegroupCommand({
        clusterName,
        nodegroupName: group.name,
        version: request.version,
        nodeRole: group.nodeRoleArn,
        instanceTypes: [...group.instanceTypes],
        scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
        subnets: [...(group.subnetIds ?? template.subnetIds)],
        ...(group.labels === undefined ? {} : { labels: { ...group.labels } }),
        tags: { ...template.tags, [promotionTag]: promotionId },
        clientRequestToken: requestToken(`${promotionId}-nodegroup-${group.name}`),
      }),
    );
    log?.info({ cluster: clusterName, nodegroup: group.name }, `created node group ${group.name}`);
    return output.nodegroup;
  } catch (error) {
    // Created by a pass that crashed before it could see the result: the next describe finds it.
    if (!isInUse(error)) throw awsError('create', `node group ${group.name} on ${clusterName}`, error);
    return undefined;
  }
}
