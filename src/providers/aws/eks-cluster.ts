import { type Cluster, CreateClusterCommand } from '@aws-sdk/client-eks';
import { ProviderError } from '../../domain/errors.js';
import type { ClusterObservation, ProvisionedCluster } from '../../domain/ports.js';
import {
  assertOwned,
  type EksClusterTemplate,
  type EksContext,
  findCluster,
  healthIssues,
  isInUse,
  permanent,
  promotionTag,
  requestToken,
  roleTag,
} from './eks-common.js';
import { awsError } from './errors.js';

export interface EnsureClusterRequest {
  readonly promotionId: string;
  readonly cluster: ProvisionedCluster;
  readonly version: string;
  readonly idempotencyToken: string;
}

/**
 * One pass of "green exists at the target version and is ACTIVE": DescribeCluster, and when there is
 * no cluster yet (and it is not adopted) one CreateCluster.
 */
export async function ensureCluster(
  context: EksContext & { readonly template: EksClusterTemplate | undefined },
  request: EnsureClusterRequest,
): Promise<ClusterObservation> {
  const name = request.cluster.name;
  const found = await findCluster(context.client, name);
  if (found) return judge(found, request);
  if (request.cluster.adopted) throw permanent(`adopted cluster ${name} does not exist`);
  if (!context.template) throw permanent(`cannot create EKS cluster ${name}: no cluster template`);
  return judge(await createCluster(context, context.template, request), request);
}

async function createCluster(
  { client, log }: EksContext,
  template: EksClusterTemplate,
  request: EnsureClusterRequest,
): Promise<Cluster> {
  const name = request.cluster.name;
  try {
    const output = await client.send(
      new CreateClusterCommand({
        name,
        version: request.version,
        roleArn: template.roleArn,
        resourcesVpcConfig: {
          subnetIds: [...template.subnetIds],
          securityGroupIds: [...template.securityGroupIds],
          endpointPublicAccess: template.endpointPublicAccess,
          endpointPrivateAccess: template.endpointPrivateAccess ?? true,
        },
        ...(template.logging.length === 0
          ? {}
          : { logging: { clusterLogging: [{ types: [...template.logging], enabled: true }] } }),
        tags: { ...template.tags, [promotionTag]: request.promotionId, [roleTag]: 'green' },
        clientRequestToken: requestToken(request.idempotencyToken),
      }),
    );
    log?.info({ cluster: name, version: request.version }, `created EKS cluster ${name}`);
    if (output.cluster) return output.cluster;
  } catch (error) {
    // A previous pass created it and crashed before recording that: look at what is there instead.
    if (!isInUse(error)) throw awsError('create', `EKS cluster ${name}`, error);
  }
  const found = await findCluster(client, name);
  if (!found) throw new ProviderError(`EKS cluster ${name} was created but cannot be described yet`, true);
  return found;
}

/** Ownership and version first (never report someone else's cluster as ours), then status. */
function judge(cluster: Cluster, request: EnsureClusterRequest): ClusterObservation {
  const name = request.cluster.name;
  if (!request.cluster.adopted) assertOwned(cluster, name, request.promotionId);
  if (cluster.version !== request.version) {
    const what = request.cluster.adopted ? 'adopted cluster' : 'EKS cluster';
    throw permanent(`${what} ${name} runs Kubernetes ${cluster.version}, not the target ${request.version}`);
  }
  const status = cluster.status ?? 'UNKNOWN';
  const message = `EKS cluster ${name} is ${status}${healthIssues(cluster.health)}`;
  switch (status) {
    case 'ACTIVE':
      return { ready: true, message };
    // Neither becomes ACTIVE again by waiting.
    case 'FAILED':
    case 'DELETING':
      return { ready: false, failed: true, message };
    default:
      return { ready: false, message };
  }
}
