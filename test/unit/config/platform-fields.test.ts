import { describe, expect, it } from 'vitest';
import {
  albPlatform,
  aliasPlatform,
  aliasTarget,
  aRecordPlatform,
  blueGreenRoute53Platform,
  problems,
  route53Platform,
  withValue,
} from './temp-config.js';

describe('field rules', () => {
  it.each([
    [
      'create without a template',
      withValue(route53Platform, ['slots', 'b', 'template'], undefined),
      'slots.b.template: required when mode is "create"',
    ],
    [
      'create without a template, blue/green shape',
      withValue(albPlatform, ['green', 'mode'], 'create'),
      'green.template: required when mode is "create"',
    ],
    [
      'adopt with a template',
      withValue(route53Platform, ['slots', 'a', 'mode'], 'adopt'),
      'slots.a.template: not allowed when mode is "adopt": an adopted cluster already exists, so it would be ignored',
    ],
    [
      'adopt with a template, blue/green shape',
      withValue(blueGreenRoute53Platform, ['green', 'mode'], 'adopt'),
      'green.template: not allowed when mode is "adopt": an adopted cluster already exists, so it would be ignored',
    ],
    [
      'a target with both alias and values',
      withValue(route53Platform, ['traffic', 'targets', 'a', 'alias'], aliasTarget('shop-a').alias),
      'traffic.targets.a: needs exactly one of alias or values, has both',
    ],
    [
      'a target with neither alias nor values',
      withValue(blueGreenRoute53Platform, ['traffic', 'green', 'values'], undefined),
      'traffic.green: needs exactly one of alias or values, has neither',
    ],
    [
      'values records without a TTL',
      withValue(route53Platform, ['traffic', 'ttl'], undefined),
      'traffic.ttl: required for records with values',
    ],
    [
      'alias records with a TTL',
      withValue(aliasPlatform, ['traffic', 'ttl'], '300s'),
      "traffic.ttl: not allowed with alias records: Route 53 uses the target's TTL (60s)",
    ],
    [
      'an alias on one side and values on the other',
      withValue(route53Platform, ['traffic', 'targets', 'b'], aliasTarget('shop-b')),
      'traffic.targets.b: must use values like targets.a; mixing the two is not supported',
    ],
    [
      'a CNAME with two values',
      withValue(route53Platform, ['traffic', 'targets', 'a', 'values'], ['a.example.net', 'b.example.net']),
      'traffic.targets.a.values: a CNAME record has exactly one value',
    ],
    [
      'an A record with a name for a value',
      withValue(aRecordPlatform, ['traffic', 'targets', 'a', 'values'], ['10.0.0.1', 'a.example.net']),
      'traffic.targets.a.values[1]: must be an IPv4 address for an A record',
    ],
    [
      'teardown without a drain delay',
      withValue(albPlatform, ['rollback'], { green: 'teardown' }),
      'rollback.drainDelay: required when green is "teardown"',
    ],
    [
      'a single subnet',
      withValue(route53Platform, ['slots', 'b', 'template', 'subnetIds'], ['subnet-0a1']),
      'slots.b.template.subnetIds: must have at least 2 items',
    ],
    [
      'a desired size outside min..max',
      withValue(route53Platform, ['slots', 'a', 'template', 'nodeGroups', 0, 'desiredSize'], 5),
      'slots.a.template.nodeGroups[0].desiredSize: must be between minSize (1) and maxSize (3)',
    ],
    [
      'an unknown EKS log type',
      withValue(blueGreenRoute53Platform, ['green', 'template', 'logging'], ['api', 'everything']),
      'green.template.logging[1]: must be one of "api", "audit", "authenticator", "controllerManager", "scheduler", got "everything"',
    ],
    [
      'a step percent with a fraction',
      withValue(route53Platform, ['traffic', 'steps', 0, 'green'], 2.5),
      'traffic.steps[0].green: expected a whole number, got 2.5',
    ],
    [
      'an unknown router',
      withValue(albPlatform, ['traffic', 'router'], 'nginx'),
      'traffic.router: must be one of "route53", "alb"',
    ],
    [
      'a platform name that is not a DNS label',
      withValue(albPlatform, ['name'], 'Payments'),
      'name: must be a DNS label: lowercase letters, digits and "-"',
    ],
    [
      'retry delays the wrong way round',
      withValue(albPlatform, ['retry'], { baseDelay: '1m', maxDelay: '10s' }),
      'retry.maxDelay: must be at least baseDelay (60s)',
    ],
    [
      'a timeout for an unknown stage',
      withValue(albPlatform, ['stageTimeouts'], { provision: '30m', provisoin: '1h' }),
      'stageTimeouts.provisoin: unknown key (expected one of: provision, foundation, qualify-foundation, services, qualify-services, shift-traffic, decommission)',
    ],
  ])('rejects %s', async (_, platform, expected) => {
    expect(await problems(platform)).toEqual([expected]);
  });
});

describe('unknown keys', () => {
  it('are named with the keys allowed there', async () => {
    expect(await problems(withValue(route53Platform, ['traffic', 'stepz'], []))).toEqual([
      'traffic.stepz: unknown key (expected one of: router, hostedZoneId, recordName, recordType, ttl, targets, blue, green, steps, probe)',
    ]);
  });

  it('are reported at the top level too', async () => {
    expect(await problems(withValue(albPlatform, ['rollbak'], { mode: 'stepped' }))).toEqual([
      'rollbak: unknown key (expected one of: name, slots, initialLive, initialLiveCluster, blue, green, labels, maxVersionJump, traffic, rollback, retry, stageTimeouts, pollInterval, foundation, services, notifications)',
    ]);
  });
});
