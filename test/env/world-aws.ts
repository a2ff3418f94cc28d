/**
 * The AWS side of a platform team's world before Switchyard arrives, created in moto through the SDK:
 * the blue EKS cluster, a Route 53 record pointing at blue, and an ALB listener forwarding to blue.
 */
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { type AwsConnection, createAwsClients } from '../../src/providers/aws/clients.js';

export const account = '123456789012';
export const roles = {
  cluster: `arn:aws:iam::${account}:role/eks-cluster`,
  nodes: `arn:aws:iam::${account}:role/eks-nodes`,
};

export interface AwsWorld {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly hostedZoneId: string;
  readonly listenerArn: string;
  readonly blueTargetGroupArn: string;
  readonly greenTargetGroupArn: string;
}

export async function seedAws(
  connection: AwsConnection,
  names: {
    suffix: string;
    blueClusters: readonly string[];
    kubeVersion: string;
    zone: string;
    record: string;
    blueTarget: string;
  },
): Promise<AwsWorld> {
  const aws = createAwsClients(connection);
  const ec2 = new EC2Client(connection);
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc?.VpcId ?? '';
    const subnetIds: string[] = [];
    for (const [i, zone] of ['a', 'b'].entries()) {
      const subnet = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.40.${i}.0/24`,
          AvailabilityZone: `${connection.region}${zone}`,
        }),
      );
      subnetIds.push(subnet.Subnet?.SubnetId ?? '');
    }
    for (const name of names.blueClusters) {
      await aws.eks.send(
        new CreateClusterCommand({
          name,
          version: names.kubeVersion,
          roleArn: roles.cluster,
          resourcesVpcConfig: { subnetIds },
        }),
      );
    }

    const zone = await aws.route53.send(
      new CreateHostedZoneCommand({ Name: names.zone, CallerReference: `world-${names.suffix}` }),
    );
    const hostedZoneId = zone.HostedZone?.Id?.replace('/hostedzone/', '') ?? '';
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: names.record,
                Type: 'CNAME',
                TTL: 1,
                ResourceRecords: [{ Value: names.blueTarget }],
              },
            },
          ],
        },
      }),
    );

    const lb = await aws.elbv2.send(
      new CreateLoadBalancerCommand({ Name: `pay-${names.suffix}`, Subnets: subnetIds }),
    );
    const targetGroup = async (side: string) =>
      (
        await aws.elbv2.send(
          new CreateTargetGroupCommand({
            Name: `pay-${side}-${names.suffix}`,
            Protocol: 'HTTP',
            Port: 80,
            VpcId: vpcId,
            TargetType: 'ip',
          }),
        )
      ).TargetGroups?.[0]?.TargetGroupArn ?? '';
    const blueTargetGroupArn = await targetGroup('blue');
    const greenTargetGroupArn = await targetGroup('green');
    const listener = await aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: blueTargetGroupArn }],
      }),
    );
    return {
      vpcId,
      subnetIds,
      hostedZoneId,
      listenerArn: listener.Listeners?.[0]?.ListenerArn ?? '',
      blueTargetGroupArn,
      greenTargetGroupArn,
    };
  } finally {
    aws.destroy();
    ec2.destroy();
  }
}
