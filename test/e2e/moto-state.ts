import { ListClustersCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { worldCredentials } from '../env/world.js';
import { testEnvironment } from '../integration/environment.js';

/** What moto holds for the shop platform: clusters, green's node groups, and shop's DNS records. */
export async function shopState(hostedZoneId: string) {
  const env = testEnvironment();
  const aws = createAwsClients({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: worldCredentials,
  });
  try {
    const clusters = ((await aws.eks.send(new ListClustersCommand({}))).clusters ?? []).sort();
    const nodegroups = clusters.includes('shop-green')
      ? ((await aws.eks.send(new ListNodegroupsCommand({ clusterName: 'shop-green' }))).nodegroups ?? [])
      : [];
    const records = (
      (await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId })))
        .ResourceRecordSets ?? []
    ).filter((r) => r.Name === 'shop.example.test.');
    const weights = Object.fromEntries(records.map((r) => [r.SetIdentifier ?? 'simple', r.Weight ?? null]));
    return { clusters, nodegroups, records: records.length, weights };
  } finally {
    aws.destroy();
  }
}
