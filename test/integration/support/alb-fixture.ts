import { CreateSubnetCommand, CreateVpcCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  type Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** A fresh load balancer with three target groups: blue, green, and one that belongs to neither. */
export interface AlbFixture {
  readonly loadBalancerArn: string;
  readonly blue: string;
  readonly green: string;
  readonly other: string;
}

let port = 8000;

/**
 * Creates a VPC, two subnets, an ALB and its target groups, named after `name` (≤ 20 characters) so
 * each test owns its own and tests in one file do not see each other's listeners.
 */
export async function createAlbFixture(
  elbv2: ElasticLoadBalancingV2Client,
  ec2: EC2Client,
  name: string,
): Promise<AlbFixture> {
  // EC2 only sets the stage (a VPC and subnets for the load balancer); Switchyard itself never calls it.
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId;
  const subnetIds = await Promise.all(
    ['a', 'b'].map(async (zone, i) => {
      const subnet = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.30.${i}.0/24`,
          AvailabilityZone: `us-east-1${zone}`,
        }),
      );
      return required(subnet.Subnet?.SubnetId, 'subnet');
    }),
  );
  const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds }));
  const targetGroup = async (side: string) => {
    const created = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${name}-${side}`,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        TargetType: 'ip',
      }),
    );
    return required(created.TargetGroups?.[0]?.TargetGroupArn, 'target group');
  };
  return {
    loadBalancerArn: required(lb.LoadBalancers?.[0]?.LoadBalancerArn, 'load balancer'),
    blue: await targetGroup('blue'),
    green: await targetGroup('green'),
    other: await targetGroup('other'),
  };
}

/** Adds an HTTP listener (each on its own port) with the given default actions. */
export async function createListener(
  elbv2: ElasticLoadBalancingV2Client,
  fixture: AlbFixture,
  defaultActions: Action[],
): Promise<string> {
  const out = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: fixture.loadBalancerArn,
      Protocol: 'HTTP',
      Port: port++,
      DefaultActions: defaultActions,
    }),
  );
  return required(out.Listeners?.[0]?.ListenerArn, 'listener');
}

/** Adds a rule for /api/* with the given actions. */
export async function createRule(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  actions: Action[],
): Promise<string> {
  const out = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      Actions: actions,
    }),
  );
  return required(out.Rules?.[0]?.RuleArn, 'rule');
}

/** The listener's default actions, read straight from the API, not through the router. */
export async function listenerActions(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Action[]> {
  const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  return out.Listeners?.[0]?.DefaultActions ?? [];
}

export async function ruleActions(elbv2: ElasticLoadBalancingV2Client, ruleArn: string): Promise<Action[]> {
  const out = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  return out.Rules?.[0]?.Actions ?? [];
}

/** The [target group, weight] pairs of the forward action among `actions`. */
export function forwardWeights(actions: Action[]): [string | undefined, number | undefined][] {
  const forward = actions.find((a) => a.Type === 'forward');
  return (forward?.ForwardConfig?.TargetGroups ?? []).map((g) => [g.TargetGroupArn, g.Weight]);
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`moto returned no ${what}`);
  return value;
}
