/** The ALB router kind: weighted target groups in one forward action, one target group per slot. */
import type { BoundRouter } from '../kind.js';
import { albApplySeconds, createAlbRouter } from './adapter.js';
import type { AlbTraffic } from './config.js';

export { type AlbTraffic, albSchema } from './config.js';

export function albRouter(traffic: AlbTraffic): BoundRouter {
  const loadBalancer = loadBalancerDimension(traffic.listenerArn);
  return {
    // Clients keep resolving the same ALB name, so no DNS TTL applies: the floor is the time the
    // load balancer takes to apply new weights on every node. Not a TTL, and not called one.
    minimumBake: () => ({ ms: albApplySeconds * 1000, what: 'the time an ALB takes to apply weights' }),
    // CloudWatch dimension values of the target group and load balancer, e.g. for 5xx analyses.
    placeholders: { all: ['targetGroup', 'loadBalancer'], perSide: ['targetGroup'] },
    placeholderValues: (roles) => ({
      blue: {
        targetGroup: targetGroupDimension(traffic.targets[roles.blue.slot].targetGroupArn),
        loadBalancer,
      },
      green: {
        targetGroup: targetGroupDimension(traffic.targets[roles.green.slot].targetGroupArn),
        loadBalancer,
      },
    }),
    describeTarget: (slot) => `target group ${traffic.targets[slot].targetGroupArn}`,
    legacyKey: traffic.writtenAs === 'targets' ? undefined : traffic.writtenAs,
    create: (roles, context) =>
      createAlbRouter({
        client: context.aws.elbv2,
        listenerArn: traffic.listenerArn,
        ...(traffic.ruleArn === undefined ? {} : { ruleArn: traffic.ruleArn }),
        blueTargetGroupArn: traffic.targets[roles.blue.slot].targetGroupArn,
        greenTargetGroupArn: traffic.targets[roles.green.slot].targetGroupArn,
        serializer: context.serializer,
        log: context.log,
      }),
  };
}

/** arn:…:targetgroup/shop-green/0123456789abcdef → targetgroup/shop-green/0123456789abcdef */
export function targetGroupDimension(arn: string): string {
  return arn.slice(arn.indexOf(':targetgroup/') + 1);
}

/** arn:…:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2 → app/shop/50dc6c495c0c9188 */
export function loadBalancerDimension(listenerArn: string): string {
  const resource = listenerArn.slice(listenerArn.indexOf(':listener/') + ':listener/'.length);
  return resource.split('/').slice(0, 3).join('/');
}
