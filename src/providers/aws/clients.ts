import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';

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
  destroy(): void;
}

export const defaultMaxAttempts = 8;

/** The one place that builds AWS SDK clients, so every adapter shares region, endpoint and retry policy. */
export function createAwsClients(connection: AwsConnection): AwsClients {
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
  return {
    eks,
    route53,
    elbv2,
    destroy() {
      eks.destroy();
      route53.destroy();
      elbv2.destroy();
    },
  };
}
