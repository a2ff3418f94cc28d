/** The Route 53 router kind: a weighted record pair, one record per slot. */
import type { BoundRouter } from '../kind.js';
import { createRoute53Router } from './adapter.js';
import type { Route53Traffic } from './config.js';
import { aliasTtlSeconds } from './records.js';

export { type Route53Traffic, route53Schema } from './config.js';

export function route53Router(traffic: Route53Traffic): BoundRouter {
  // Alias records have no TTL of their own: resolvers cache the load balancer's answer (60 s).
  const ttlMs = traffic.ttl ?? aliasTtlSeconds * 1000;
  return {
    minimumBake: () => ({ ms: ttlMs, what: 'the TTL' }),
    placeholders: { all: [], perSide: [] },
    placeholderValues: () => ({ blue: {}, green: {} }),
    describeTarget(slot) {
      const target = traffic.targets[slot];
      const to = 'alias' in target ? `alias ${target.alias.dnsName}` : target.values.join(', ');
      return `record ${traffic.recordName} ${traffic.recordType} set ${target.setIdentifier} → ${to}`;
    },
    legacyKey: traffic.writtenAs === 'targets' ? undefined : traffic.writtenAs,
    create: (roles, context) =>
      createRoute53Router({
        client: context.aws.route53,
        hostedZoneId: traffic.hostedZoneId,
        recordName: traffic.recordName,
        recordType: traffic.recordType,
        ttlSeconds: ttlMs / 1000,
        blue: traffic.targets[roles.blue.slot],
        green: traffic.targets[roles.green.slot],
        serializer: context.serializer,
        log: context.log,
      }),
  };
}
