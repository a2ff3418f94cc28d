import { describe, expect, it } from 'vitest';
import {
  albPlatform,
  albSlotsPlatform,
  aliasPlatform,
  aRecordPlatform,
  blueGreenRoute53Platform,
  loadError,
  loadPlatform,
  problems,
  route53Platform,
  withValue,
} from './temp-config.js';

describe('valid platforms', () => {
  it.each([
    ['route53 values', route53Platform],
    ['route53 values, blue/green shape', blueGreenRoute53Platform],
    ['route53 alias', aliasPlatform],
    ['route53 A records', aRecordPlatform],
    ['alb', albSlotsPlatform],
    ['alb, blue/green shape', albPlatform],
  ])('%s loads', async (_, platform) => {
    expect(await problems(platform)).toEqual([]);
  });

  it('fills in defaults', async () => {
    const { platforms } = await loadPlatform(aliasPlatform);
    const shop = platforms.get('shop');
    expect(shop?.rollback).toEqual({
      mode: 'instant',
      green: 'keep',
      automatic: true,
      steps: [50, 10],
      drainDelay: 60_000,
      stepBake: 60_000,
    });
    expect(shop?.retry).toEqual({ maxAttempts: 5, baseDelay: 2_000, maxDelay: 120_000 });
    expect(shop?.traffic.router === 'route53' && shop.traffic.targets.a).toEqual({
      setIdentifier: 'shop-a',
      alias: {
        dnsName: 'shop-a.elb.amazonaws.com',
        hostedZoneId: 'Z35SXDOTRQ7X7K',
        evaluateTargetHealth: true,
      },
    });
    expect(shop).toMatchObject({ initialLive: 'a', maxVersionJump: 1 });
    expect(shop?.slots.b.mode === 'create' && shop.slots.b.template).toMatchObject({
      securityGroupIds: [],
      endpointPublicAccess: false,
      logging: [],
      tags: {},
      addons: [{ name: 'vpc-cni' }, { name: 'coredns' }, { name: 'kube-proxy' }],
    });
  });

  it('keeps the bare id of a hosted zone copied from the API', async () => {
    const { platforms } = await loadPlatform(
      withValue(route53Platform, ['traffic', 'hostedZoneId'], '/hostedzone/Z0ABC'),
    );
    expect(platforms.get('shop')?.traffic).toMatchObject({ hostedZoneId: 'Z0ABC' });
  });
});

describe('cross-field rules', () => {
  it.each([
    [
      'steps that do not increase',
      withValue(route53Platform, ['traffic', 'steps', 1, 'green'], 10),
      'traffic.steps[1].green: must be more than the previous step (10)',
    ],
    [
      'a last step below 100',
      withValue(route53Platform, ['traffic', 'steps', 2, 'green'], 90),
      'traffic.steps[2].green: the last step must be 100 (all traffic on green), got 90',
    ],
    [
      'a bake shorter than the record TTL',
      withValue(route53Platform, ['traffic', 'steps', 1, 'bake'], '30s'),
      'traffic.steps[1].bake: must be at least the TTL (60s), got 30s',
    ],
    [
      'a bake shorter than a long configured TTL',
      withValue(route53Platform, ['traffic', 'ttl'], '5m'),
      [0, 1, 2].map((i) => `traffic.steps[${i}].bake: must be at least the TTL (5m), got 2m`),
    ],
    [
      'a bake shorter than an alias record’s 60s',
      withValue(aliasPlatform, ['traffic', 'steps', 2, 'bake'], '59s'),
      'traffic.steps[2].bake: must be at least the TTL (60s), got 59s',
    ],
    [
      'a bake shorter than the time an ALB takes to apply weights',
      withValue(albPlatform, ['traffic', 'steps', 0, 'bake'], '5s'),
      'traffic.steps[0].bake: must be at least the time an ALB takes to apply weights (10s), got 5s',
    ],
    [
      'a drain delay shorter than the TTL',
      withValue(route53Platform, ['rollback'], { drainDelay: '30s' }),
      'rollback.drainDelay: must be at least the TTL (60s), got 30s',
    ],
    [
      'rollback steps that do not decrease',
      withValue(route53Platform, ['rollback'], { mode: 'stepped', steps: [10, 50] }),
      'rollback.steps[1]: must be less than the previous step (10)',
    ],
    [
      'a rollback step of 100',
      withValue(route53Platform, ['rollback'], { mode: 'stepped', steps: [100, 10] }),
      'rollback.steps[0]: must be at most 99',
    ],
    [
      'a rollback step of 0',
      withValue(route53Platform, ['rollback'], { mode: 'stepped', steps: [50, 0] }),
      'rollback.steps[1]: must be at least 1',
    ],
    [
      'a rollback step bake shorter than the TTL',
      withValue(albPlatform, ['rollback'], { mode: 'stepped', stepBake: '5s' }),
      'rollback.stepBake: must be at least the time an ALB takes to apply weights (10s), got 5s',
    ],
    // These three in the blue/green shape; slots.test.ts has them in the slots shape.
    [
      'the same set identifier on both sides',
      withValue(blueGreenRoute53Platform, ['traffic', 'green', 'setIdentifier'], 'blue'),
      'traffic.green.setIdentifier: must differ from blue\'s ("blue")',
    ],
    [
      'the same target group on both sides',
      withValue(albPlatform, ['traffic', 'greenTargetGroupArn'], albPlatform.traffic.blueTargetGroupArn),
      'traffic.greenTargetGroupArn: must differ from blueTargetGroupArn',
    ],
    [
      'the same cluster on both sides',
      withValue(albPlatform, ['green', 'clusterName'], 'payments-blue'),
      'green.clusterName: must differ from blue\'s ("payments-blue")',
    ],
  ])('rejects %s', async (_, platform, expected) => {
    expect(await problems(platform)).toEqual(Array.isArray(expected) ? expected : [expected]);
  });
});

describe('a file with several problems', () => {
  it('reports all of them, cross-field rules included', async () => {
    const file = 'test/fixtures/config/many-problems/controller.yaml';
    const error = await loadError(file);
    expect(error.issues.map((i) => `${i.path}: ${i.problem}`)).toEqual([
      'name: must be a DNS label: lowercase letters, digits and "-"',
      'retry.maxAttempts: must be at least 1',
      'retry.basedelay: unknown key (expected one of: maxAttempts, baseDelay, maxDelay)',
      'pollInterval: expected a duration like "30s", "5m", "1h30m" or "250ms", or a number of seconds, got "soon"',
      'green.clusterName: must differ from blue\'s ("same")',
      'rollback.drainDelay: must be at least the TTL (60s), got 30s',
    ]);
    expect(error.message.split('\n')).toHaveLength(6);
    expect(error.message.split('\n')[0]).toBe(
      'test/fixtures/config/many-problems/platforms/bad.yaml: name: must be a DNS label: lowercase letters, digits and "-"',
    );
  });

  it('formats a single problem as file: path: problem', async () => {
    const error = await loadError('test/fixtures/config/short-bake/controller.yaml');
    expect(error.message).toBe(
      'test/fixtures/config/short-bake/platforms/shop.yaml: traffic.steps[1].bake: must be at least the TTL (60s), got 30s',
    );
    expect(error).toMatchObject({
      file: 'test/fixtures/config/short-bake/platforms/shop.yaml',
      path: 'traffic.steps[1].bake',
      problem: 'must be at least the TTL (60s), got 30s',
    });
  });
});
