import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, expect, it } from 'vitest';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';

describeWithServers('Elastic Load Balancing v2 on moto (smoke)', () => {
  const env = testEnvironment();
  const connection = { region: env.awsRegion, endpoint: env.awsEndpoint, credentials: dummyCredentials };
  const aws = createAwsClients(connection);
  // EC2 only sets the stage (a VPC and subnets for the load balancer); Switchyard itself never calls it.
  const ec2 = new EC2Client(connection);
  afterAll(() => {
    aws.destroy();
    ec2.destroy();
  });

  it('creates a listener forwarding to two weighted target groups and reads the weights back', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId;
    const subnetIds = await Promise.all(
      ['a', 'b'].map(async (zone, i) => {
        const subnet = await ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: `10.20.${i}.0/24`,
            AvailabilityZone: `us-east-1${zone}`,
          }),
        );
        return subnet.Subnet?.SubnetId ?? '';
      }),
    );
    const loadBalancer = await aws.elbv2.send(
      new CreateLoadBalancerCommand({ Name: 'smoke', Subnets: subnetIds }),
    );
    const loadBalancerArn = loadBalancer.LoadBalancers?.[0]?.LoadBalancerArn;
    const targetGroupArn = async (name: string) =>
      (
        await aws.elbv2.send(
          new CreateTargetGroupCommand({
            Name: name,
            Protocol: 'HTTP',
            Port: 80,
            VpcId: vpcId,
            TargetType: 'ip',
          }),
        )
      ).TargetGroups?.[0]?.TargetGroupArn;
    const [blueArn, greenArn] = [await targetGroupArn('smoke-blue'), await targetGroupArn('smoke-green')];

    await aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blueArn, Weight: 900 },
                { TargetGroupArn: greenArn, Weight: 100 },
              ],
            },
          },
        ],
      }),
    );

    const listeners = await aws.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    const groups = listeners.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? [];
    expect(groups.map((g) => [g.TargetGroupArn, g.Weight])).toEqual([
      [blueArn, 900],
      [greenArn, 100],
    ]);
  });
});
