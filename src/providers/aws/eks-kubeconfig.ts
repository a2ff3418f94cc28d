import type { EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { ProviderError } from '../../domain/errors.js';
import { findCluster, permanent } from './eks-common.js';
import { type CredentialsSource, eksToken } from './eks-token.js';

export interface EksKubeConfigRequest {
  readonly client: EKSClient;
  readonly clusterName: string;
  /** Defaults to the client's region. */
  readonly region?: string;
  /** Defaults to the client's credentials: the identity that created the cluster has access to it. */
  readonly credentials?: CredentialsSource;
  /** Clock for token age; tests pass a fake one. */
  readonly now?: () => Date;
}

/**
 * Tokens are accepted for 15 minutes after signing; a fresh one is made once the cached one is 10
 * minutes old, which leaves room for clock skew and long requests.
 */
export const tokenRefreshMs = 10 * 60_000;

/** A function returning a valid EKS bearer token, signing a new one only when the cached one is old. */
export function eksTokenSource(options: {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: CredentialsSource;
  readonly now?: () => Date;
}): () => Promise<string> {
  const now = options.now ?? (() => new Date());
  let cached: { token: Promise<string>; signedAt: number } | undefined;
  return () => {
    const at = now();
    if (!cached || at.getTime() - cached.signedAt >= tokenRefreshMs) {
      const token = eksToken({ ...options, now: at });
      // A failed signing (e.g. credentials not yet available) must not be cached.
      token.catch(() => {
        if (cached?.token === token) cached = undefined;
      });
      cached = { token, signedAt: at.getTime() };
    }
    return cached.token;
  };
}

/**
 * A KubeConfig for an EKS cluster: endpoint and CA from DescribeCluster, and a bearer token that is
 * re-signed before it expires. The token comes from a custom authenticator that client-node asks on
 * every request, so one KubeConfig stays usable for as long as the process runs. (A KubeConfig
 * exported to YAML loses that authenticator: use this object, not a copy of it.)
 */
export async function eksKubeConfig(request: EksKubeConfigRequest): Promise<KubeConfig> {
  const name = request.clusterName;
  const cluster = await findCluster(request.client, name);
  if (!cluster) throw permanent(`EKS cluster ${name} does not exist`);
  const server = cluster.endpoint;
  const caData = cluster.certificateAuthority?.data;
  if (!server || !caData) {
    // CREATING clusters have neither yet.
    throw new ProviderError(`EKS cluster ${name} has no API endpoint yet (status ${cluster.status})`, true);
  }
  const token = eksTokenSource({
    clusterName: name,
    region: request.region ?? (await request.client.config.region()),
    credentials: request.credentials ?? request.client.config.credentials,
    ...(request.now === undefined ? {} : { now: request.now }),
  });

  const userName = `switchyard-eks-${name}`;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name, server, caData, skipTLSVerify: false }],
    users: [{ name: userName }],
    contexts: [{ name, cluster: name, user: userName }],
    currentContext: name,
  });
  config.addAuthenticator({
    isAuthProvider: (user: User) => user.name === userName,
    async applyAuthentication(_user, options) {
      const headers = (options.headers ?? {}) as Record<string, string>;
      headers.Authorization = `Bearer ${await token()}`;
      options.headers = headers;
    },
  });
  return config;
}
