import {
  DeleteClusterCommand,
  DeleteFargateProfileCommand,
  DeleteNodegroupCommand,
  DescribeFargateProfileCommand,
  paginateListFargateProfiles,
} from '@aws-sdk/client-eks';
import type { Observation } from '../../domain/ports.js';
import type { ClusterRef } from '../../domain/promotion.js';
import { errorMessage } from '../../domain/retryable.js';
import {
  assertOwned,
  type EksContext,
  findCluster,
  healthIssues,
  isInUse,
  isNotFound,
  unlessNotFound,
} from './eks-common.js';
import { describeNodegroup, listNodegroups } from './eks-nodegroups.js';
import { awsError, describing } from './errors.js';

export interface TeardownOptions {
  /**
   * Clusters teardown may delete although they do not carry this promotion's tag: the blue cluster
   * being decommissioned (built by Terraform, or by an earlier promotion). Every other cluster must
   * carry our promotion tag, so a rollback can never delete an adopted or foreign green.
   */
  readonly allowUntagged: ReadonlySet<string>;
}

/**
 * One pass of "the cluster is gone". EKS refuses DeleteCluster while managed node groups or Fargate
 * profiles exist, so those go first, all of them (they are part of the cluster being deleted). Managed
 * add-ons are not deleted one by one: EKS removes them with the control plane, and deleting vpc-cni
 * first would only cut pod networking while nodes drain.
 */
export async function teardownCluster(
  context: EksContext & TeardownOptions,
  request: { readonly promotionId: string; readonly cluster: ClusterRef },
): Promise<Observation> {
  const name = request.cluster.name;
  // The cluster, its node groups and its Fargate profiles are read together: reads only, and nothing
  // is deleted before the cluster is found and known to be ours. A gone cluster's lists fail unheard.
  const nodegroupNames = listNodegroups(context, name);
  const profileNames = listFargateProfiles(context, name);
  nodegroupNames.catch(() => undefined);
  profileNames.catch(() => undefined);
  const cluster = await findCluster(context.client, name);
  if (!cluster) return { ready: true, message: `EKS cluster ${name} is gone` };
  if (!context.allowUntagged.has(name)) assertOwned(cluster, name, request.promotionId);
  if (cluster.status === 'DELETING') return { ready: false, message: `EKS cluster ${name} is DELETING` };

  const nodegroups = await deleteNodegroups(context, name, await nodegroupNames);
  if (nodegroups) return { ready: false, message: nodegroups };
  const profiles = await deleteFargateProfile(context, name, await profileNames);
  if (profiles) return { ready: false, message: profiles };

  try {
    await context.client.send(new DeleteClusterCommand({ name }));
    context.log?.info({ cluster: name }, `deleting EKS cluster ${name}`);
  } catch (error) {
    if (isNotFound(error)) return { ready: true, message: `EKS cluster ${name} is gone` };
    // Something attached itself since we looked; the next pass deletes it.
    if (isInUse(error))
      return { ready: false, message: `EKS cluster ${name} is still in use: ${errorMessage(error)}` };
    throw awsError('delete', `EKS cluster ${name}`, error);
  }
  // One look right after the delete: a cluster with nothing left in it may be gone already, and the
  // stage then finishes now instead of a backoff later. One describe more per teardown otherwise.
  const after = await findCluster(context.client, name);
  if (!after) return { ready: true, message: `EKS cluster ${name} is gone` };
  return { ready: false, message: `EKS cluster ${name} is ${after.status ?? 'DELETING'}` };
}

/** Starts deleting every node group not already deleting; a message while any remain. */
async function deleteNodegroups(
  context: EksContext,
  clusterName: string,
  listed: readonly string[],
): Promise<string | undefined> {
  const names = [...listed].sort();
  if (names.length === 0) return undefined;
  const states = await Promise.all(
    names.map(async (nodegroupName) => {
      const group = await describeNodegroup(context, clusterName, nodegroupName);
      // DELETE_FAILED is retried: the usual cause (a dependency) is fixed outside, and the message says so.
      if (group && group.status !== 'DELETING') await deleteNodegroup(context, clusterName, nodegroupName);
      return `${nodegroupName} ${group?.status ?? 'gone'}${healthIssues(group?.health)}`;
    }),
  );
  return `deleting node groups on ${clusterName}: ${states.join(', ')}`;
}

async function deleteNodegroup(
  { client, log }: EksContext,
  clusterName: string,
  nodegroupName: string,
): Promise<void> {
  try {
    await client.send(new DeleteNodegroupCommand({ clusterName, nodegroupName }));
    log?.info({ cluster: clusterName, nodegroup: nodegroupName }, `deleting node group ${nodegroupName}`);
  } catch (error) {
    // Gone already, or a delete is already under way: both are what we asked for.
    if (!isNotFound(error) && !isInUse(error)) {
      throw awsError('delete', `node group ${nodegroupName} on ${clusterName}`, error);
    }
  }
}

/** EKS deletes one Fargate profile at a time per cluster, so this starts at most one delete. */
async function deleteFargateProfile(
  { client, log }: EksContext,
  clusterName: string,
  names: readonly string[],
): Promise<string | undefined> {
  const first = names[0];
  if (first === undefined) return undefined;
  const profiles = await Promise.all(
    names.map((fargateProfileName) =>
      unlessNotFound('describe', `Fargate profile ${fargateProfileName} on ${clusterName}`, () =>
        client.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName })),
      ),
    ),
  );
  const message = `deleting Fargate profiles on ${clusterName}: ${names.join(', ')}`;
  if (profiles.some((p) => p?.fargateProfile?.status === 'DELETING')) return message;
  try {
    await client.send(new DeleteFargateProfileCommand({ clusterName, fargateProfileName: first }));
    log?.info({ cluster: clusterName, fargateProfile: first }, `deleting Fargate profile ${first}`);
  } catch (error) {
    if (!isNotFound(error) && !isInUse(error)) {
      throw awsError('delete', `Fargate profile ${first} on ${clusterName}`, error);
    }
  }
  return message;
}

function listFargateProfiles({ client }: EksContext, clusterName: string): Promise<string[]> {
  return describing('list Fargate profiles on', clusterName, async () => {
    const found: string[] = [];
    for await (const page of paginateListFargateProfiles({ client }, { clusterName })) {
      found.push(...(page.fargateProfileNames ?? []));
    }
    return found;
  });
}
