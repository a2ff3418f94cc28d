import { createHash } from 'node:crypto';
import { type Cluster, DescribeClusterCommand, type EKSClient, type LogType } from '@aws-sdk/client-eks';
import type { Logger } from 'pino';
import { ProviderError } from '../../domain/errors.js';
import type { EksCatalogCache } from './eks-catalog.js';
import { awsError } from './errors.js';

/** Tag on everything Switchyard creates: the crash marker that says which promotion owns a resource. */
export const promotionTag = 'switchyard.io/promotion-id';
export const roleTag = 'switchyard.io/role';

export interface EksNodeGroupTemplate {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  /** Defaults to the cluster's subnets. */
  readonly subnetIds?: readonly string[] | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly nodeRoleArn: string;
}

export interface EksAddonTemplate {
  readonly name: string;
  /** Absent: the add-on's default version for the target Kubernetes version. */
  readonly version?: string | undefined;
}

/** How a green cluster is created. The Kubernetes version is the promotion's target, not part of it. */
export interface EksClusterTemplate {
  readonly roleArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly endpointPublicAccess: boolean;
  /** Defaults to true: nodes reach the API server inside the VPC, and EKS refuses public and private both off. */
  readonly endpointPrivateAccess?: boolean | undefined;
  readonly logging: readonly LogType[];
  readonly tags: Readonly<Record<string, string>>;
  readonly nodeGroups: readonly EksNodeGroupTemplate[];
  /** Empty: the add-ons every cluster needs (vpc-cni, coredns, kube-proxy). */
  readonly addons: readonly EksAddonTemplate[];
}

/** What the EKS adapter's parts share. */
export interface EksContext {
  readonly client: EKSClient;
  readonly log?: Logger | undefined;
  /** Where EKS's catalog answers are kept (see eks-catalog.ts); without one, EKS is asked every time. */
  readonly catalog?: EksCatalogCache | undefined;
}

/** EKS rejects client request tokens longer than this. */
const maxTokenLength = 64;

/**
 * A client request token derived from `seed`: the seed itself when it fits, else a readable prefix plus
 * a hash of the whole seed, so the same seed always gives the same token (that is what makes a repeated
 * create idempotent) and different seeds stay different.
 */
export function requestToken(seed: string): string {
  if (seed.length <= maxTokenLength) return seed;
  const digest = createHash('sha256').update(seed).digest('hex').slice(0, 32);
  return `${seed.slice(0, maxTokenLength - digest.length - 1)}-${digest}`;
}

/** A failure that retrying cannot fix: the stage fails and waits for a person. */
export function permanent(message: string): ProviderError {
  return new ProviderError(message, false);
}

export function isNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}

export function isInUse(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceInUseException';
}

/** Runs an EKS read, returning undefined when the resource does not exist. */
export async function unlessNotFound<T>(
  action: string,
  resource: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw awsError(action, resource, error);
  }
}

/** DescribeCluster, or undefined when there is no cluster by that name. */
export async function findCluster(client: EKSClient, name: string): Promise<Cluster | undefined> {
  const output = await unlessNotFound('describe', `EKS cluster ${name}`, () =>
    client.send(new DescribeClusterCommand({ name })),
  );
  return output?.cluster;
}

/** Throws unless the cluster carries our promotion tag: Switchyard never takes over a cluster it did not create. */
export function assertOwned(cluster: Cluster, name: string, promotionId: string): void {
  const owner = cluster.tags?.[promotionTag];
  if (owner === promotionId) return;
  const whose = owner === undefined ? `has no ${promotionTag} tag` : `belongs to promotion ${owner}`;
  throw permanent(`EKS cluster ${name} ${whose}, not to ${promotionId}: refusing to touch it`);
}

/** Health issues EKS reports on a resource, for messages ("" when there are none). */
export function healthIssues(
  health:
    | { issues?: readonly { code?: string | undefined; message?: string | undefined }[] | undefined }
    | undefined,
): string {
  const issues = (health?.issues ?? []).map((issue) => `${issue.code ?? 'issue'}: ${issue.message ?? ''}`);
  return issues.length === 0 ? '' : ` (${issues.join('; ')})`;
}
