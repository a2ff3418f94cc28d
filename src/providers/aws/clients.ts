import { createHash } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import type { Logger } from 'pino';

export interface StaticAwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach AWS. Everything else (credentials included) comes from the SDK's standard chains. */
export interface AwsConnection {
  readonly region: string;
  /** Overrides the service endpoints, e.g. for a VPC endpoint or a local AWS-compatible server. */
  readonly endpoint?: string;
  /** Static credentials; when absent the SDK's default provider chain is used. */
  readonly credentials?: StaticAwsCredentials;
  /** Attempts per call including the first; adaptive retry mode also rate-limits on throttling. */
  readonly maxAttempts?: number;
}

export interface AwsClients {
  readonly eks: EKSClient;
  readonly route53: Route53Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /**
   * CloudWatch for canary analysis, in the connection's region or the one named (Route 53 health
   * check metrics live in us-east-1). At most 3 attempts: a reading that fails is inconclusive and
   * taken again at the next interval, so a long retry would only hold the stage up.
   */
  cloudwatch(region?: string): CloudWatchClient;
  destroy(): void;
}

export const defaultMaxAttempts = 8;

/** Told about every AWS call once it has ended, e.g. to count calls, errors and retries. */
export type AwsCallObserver = (call: {
  readonly service: string;
  readonly operation: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly attempts: number;
  /** From the call's start to its end, retries and their waits included. */
  readonly seconds: number;
}) => void;

/**
 * The one place that builds AWS SDK clients, so every adapter shares region, endpoint and retry policy.
 * With a logger, every call that needed retries is logged with its attempt count.
 */
export function createAwsClients(
  connection: AwsConnection,
  log?: Logger,
  observe?: AwsCallObserver,
): AwsClients {
  const config = {
    region: connection.region,
    retryMode: 'adaptive',
    maxAttempts: connection.maxAttempts ?? defaultMaxAttempts,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
  };
  const eks = new EKSClient(config);
  const route53 = new Route53Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  if (log || observe) {
    watchCalls(eks, 'eks', log, observe);
    watchCalls(route53, 'route53', log, observe);
    watchCalls(elbv2, 'elbv2', log, observe);
  }
  const cloudwatchClients = new Map<string, CloudWatchClient>();
  return {
    eks,
    route53,
    elbv2,
    cloudwatch(region = connection.region) {
      let client = cloudwatchClients.get(region);
      if (client === undefined) {
        client = new CloudWatchClient({ ...config, region, maxAttempts: Math.min(config.maxAttempts, 3) });
        if (log || observe) watchCalls(client, 'cloudwatch', log, observe);
        cloudwatchClients.set(region, client);
      }
      return client;
    },
    destroy() {
      eks.destroy();
      route53.destroy();
      elbv2.destroy();
      for (const client of cloudwatchClients.values()) client.destroy();
    },
  };
}

/** Clients shared by everyone in the process who asks for the same connection. */
export interface AwsClientPool {
  /** The clients for this connection, built on first use; destroy() on them is left to the pool. */
  clients(connection: AwsConnection): AwsClients;
  /** How many distinct connections have clients. */
  readonly size: number;
  /** Destroys every client (their sockets), at shutdown. */
  destroy(): void;
}

/**
 * One set of SDK clients per (region, endpoint, credentials, attempts): each client holds its own
 * connection pool, credential cache and retry quota, so building one per platform or per promotion
 * multiplies sockets and memory by the fleet's size for nothing.
 */
export function createAwsClientPool(log?: Logger, observe?: AwsCallObserver): AwsClientPool {
  const pool = new Map<string, { readonly shared: AwsClients; readonly own: AwsClients }>();
  return {
    clients(connection) {
      const key = connectionKey(connection);
      let entry = pool.get(key);
      if (entry === undefined) {
        const own = createAwsClients(connection, log, observe);
        // A user of shared clients cannot destroy them under the others' feet.
        entry = { own, shared: { ...own, destroy() {} } };
        pool.set(key, entry);
      }
      return entry.shared;
    },
    get size() {
      return pool.size;
    },
    destroy() {
      for (const { own } of pool.values()) own.destroy();
      pool.clear();
    },
  };
}

/** Equal connections give equal keys; the secret is only ever part of a digest. */
function connectionKey(connection: AwsConnection): string {
  const credentials = connection.credentials;
  const secret =
    credentials === undefined
      ? 'default chain'
      : createHash('sha256')
          .update(
            `${credentials.accessKeyId}\0${credentials.secretAccessKey}\0${credentials.sessionToken ?? ''}`,
          )
          .digest('hex');
  return [
    connection.region,
    connection.endpoint ?? '',
    connection.maxAttempts ?? defaultMaxAttempts,
    secret,
  ].join('|');
}

interface Metadata {
  $metadata?: { attempts?: number; totalRetryDelay?: number; httpStatusCode?: number };
}

type AnyClient = EKSClient | Route53Client | ElasticLoadBalancingV2Client | CloudWatchClient;

/** Logs calls that took more than one attempt, and reports every call to `observe`. */
function watchCalls(
  client: AnyClient,
  service: string,
  log: Logger | undefined,
  observe: AwsCallObserver | undefined,
): void {
  (client.middlewareStack as unknown as MiddlewareStackLike).add(
    (next, context) => async (args) => {
      const started = performance.now();
      const report = (meta: Metadata['$metadata'], outcome: 'succeeded' | 'failed') => {
        const attempts = meta?.attempts ?? 1;
        const seconds = (performance.now() - started) / 1000;
        observe?.({ service, operation: context.commandName ?? 'unknown', outcome, attempts, seconds });
        if (attempts > 1) {
          log?.warn(
            {
              service,
              operation: context.commandName,
              attempts: meta?.attempts,
              retryDelayMs: meta?.totalRetryDelay,
              outcome,
            },
            `${service} ${context.commandName}: ${meta?.attempts} attempts (${outcome})`,
          );
        }
      };
      try {
        const output = await next(args);
        report((output.output as Metadata).$metadata, 'succeeded');
        return output;
      } catch (error) {
        report((error as Metadata).$metadata, 'failed');
        throw error;
      }
    },
    { step: 'initialize', name: 'switchyardRetryLog' },
  );
}

/** The slice of the SDK's middleware stack this file uses, typed loosely enough for every client. */
interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<{ output: unknown }>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<{ output: unknown }>,
    options: { step: 'initialize'; name: string },
  ): void;
}
