import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, toPromotionPlan } from '../../../src/config/load.js';
import { namesCanClash } from '../../../src/config/schema.js';
import {
  albPlatform,
  albSlotsPlatform,
  blueGreenRoute53Platform,
  loadError,
  loadPlatform,
  route53Platform,
  tg,
  withValue,
  writeConfig,
} from './temp-config.js';

/** Loads one platform that must be valid and returns it. */
async function loaded(platform: unknown, name: string) {
  return (await loadPlatform(platform)).platforms.get(name) ?? expect.fail(`no ${name}`);
}

/** The issues of one invalid platform file, as { file, path, problem }, with the file as it was named. */
async function issuesOf(platform: unknown) {
  const file = await writeConfig({ platforms: { 'p.yaml': platform } });
  const shown = path.join(path.dirname(file), 'platforms', 'p.yaml');
  return { shown, issues: (await loadError(file)).issues };
}

describe('the slots shape', () => {
  it('loads two slots named by one {slot} template, with a Route 53 record per slot', async () => {
    const shop = await loaded(route53Platform, 'shop');
    expect(shop).toMatchObject({ shape: 'slots', initialLive: 'a', maxVersionJump: 1 });
    expect(shop).not.toHaveProperty('blue');
    expect(shop).not.toHaveProperty('green');
    expect(shop).not.toHaveProperty('initialLiveCluster');
    expect(shop.slots.a).toMatchObject({ clusterName: 'shop-{slot}', mode: 'create' });
    expect(shop.slots.b).toMatchObject({ clusterName: 'shop-{slot}', mode: 'create' });
    expect(shop.traffic.router === 'route53' && shop.traffic).toMatchObject({
      targets: {
        a: { setIdentifier: 'shop-a', values: ['a.example.net'] },
        b: { setIdentifier: 'shop-b', values: ['b.example.net'] },
      },
    });
    expect(shop.traffic).not.toHaveProperty('blue');
  });

  it('loads a target group per slot for an ALB', async () => {
    const payments = await loaded(albSlotsPlatform, 'payments');
    expect(payments.shape).toBe('slots');
    expect(payments.slots).toEqual({
      a: { clusterName: 'payments-blue', mode: 'adopt' },
      b: { clusterName: 'payments-green', mode: 'adopt' },
    });
    expect(payments.traffic).toMatchObject({
      targets: { a: { targetGroupArn: tg('blue') }, b: { targetGroupArn: tg('green') } },
    });
  });

  it('takes a {version} name on the initial slot when initialLiveCluster names the cluster live today', async () => {
    const platform = {
      ...withValue(route53Platform, ['slots', 'b', 'clusterName'], 'shop-{version}'),
      initialLive: 'b',
      initialLiveCluster: 'shop-2024',
      maxVersionJump: 3,
    };
    const shop = await loaded(platform, 'shop');
    expect(shop).toMatchObject({ initialLive: 'b', initialLiveCluster: 'shop-2024', maxVersionJump: 3 });
    expect(shop.slots.b.clusterName).toBe('shop-{version}');
  });

  it('needs no initialLiveCluster for a {version} name on the slot that is not live at first', async () => {
    const platform = withValue(route53Platform, ['slots', 'b', 'clusterName'], 'shop-{version}');
    expect((await loaded(platform, 'shop')).initialLive).toBe('a');
  });

  it('lets a YAML anchor share one template between the slots', async () => {
    const shop = await loaded(sharedTemplate(['subnet-0a1', 'subnet-0a2']), 'shop');
    const templates = [shop.slots.a, shop.slots.b].map((slot) => slot.mode === 'create' && slot.template);
    expect(templates[0]).toMatchObject({ subnetIds: ['subnet-0a1', 'subnet-0a2'] });
    expect(templates[1]).toEqual(templates[0]);
  });

  it('reports a problem in an anchored template at each slot that uses it', async () => {
    const { issues } = await issuesOf(sharedTemplate(['subnet-0a1']));
    expect(issues.map((i) => `${i.path}: ${i.problem}`)).toEqual([
      'slots.a.template.subnetIds: must have at least 2 items',
      'slots.b.template.subnetIds: must have at least 2 items',
    ]);
  });
});

/** route53Platform's slots as YAML text, the template written once as &t and used again as *t. */
function sharedTemplate(subnetIds: string[]): string {
  return `name: shop
services: { source: { kind: copy, namespaces: [shop] } }
slots:
  a:
    clusterName: shop-{slot}
    mode: create
    template: &t
      roleArn: arn:aws:iam::123456789012:role/eks
      subnetIds: [${subnetIds.join(', ')}]
      nodeGroups:
        - name: general
          instanceTypes: [m6i.large]
          nodeRoleArn: arn:aws:iam::123456789012:role/nodes
          minSize: 1
          maxSize: 3
          desiredSize: 2
  b: { clusterName: "shop-{slot}", mode: create, template: *t } # quoted: { } inside a flow mapping
traffic:
  router: route53
  hostedZoneId: Z0123456789ABC
  recordName: shop.example.com
  recordType: CNAME
  ttl: 60s
  targets:
    a: { setIdentifier: shop-a, values: [a.example.net] }
    b: { setIdentifier: shop-b, values: [b.example.net] }
  steps:
    - { green: 100, bake: 2m }
`;
}

describe('the blue/green shape', () => {
  it('loads as slots: blue is slot a, green slot b, and slot a is built the way green is', async () => {
    const shop = await loaded(blueGreenRoute53Platform, 'shop');
    expect(shop).toMatchObject({ shape: 'blue-green', initialLive: 'a', maxVersionJump: 1 });
    expect(shop).not.toHaveProperty('blue');
    expect(shop).not.toHaveProperty('green');
    expect(shop.slots.b).toMatchObject({ clusterName: 'shop-green', mode: 'create' });
    const greenTemplate = shop.slots.b.mode === 'create' ? shop.slots.b.template : expect.fail('adopt');
    expect(shop.slots.a).toEqual({ clusterName: 'shop-blue', mode: 'create', template: greenTemplate });
    expect(shop.traffic).toMatchObject({
      targets: {
        a: { setIdentifier: 'blue', values: ['blue.example.net'] },
        b: { setIdentifier: 'green', values: ['green.example.net'] },
      },
    });
    expect(shop.traffic).not.toHaveProperty('blue');
    expect(shop.traffic).not.toHaveProperty('green');
  });

  it("gives slot a green's adopt mode, and reads the ALB target groups as targets", async () => {
    const payments = await loaded(albPlatform, 'payments');
    expect(payments.shape).toBe('blue-green');
    expect(payments.slots.a).toEqual({ clusterName: 'payments-blue', mode: 'adopt' });
    expect(payments.traffic).toMatchObject({
      targets: { a: { targetGroupArn: tg('blue') }, b: { targetGroupArn: tg('green') } },
    });
    expect(payments.traffic).not.toHaveProperty('blueTargetGroupArn');
  });

  it('keeps loading from a file written before slots', async () => {
    const fixture = 'test/fixtures/config/legacy-blue-green/controller.yaml';
    const { controller, platforms } = await loadConfig({ file: fixture });
    const shop = platforms.get('shop') ?? expect.fail('no shop');
    expect(shop).toMatchObject({ shape: 'blue-green', initialLive: 'a' });
    // Blue's kubeconfig stays with slot a (resolved against the controller's folder); green had none.
    expect(shop.slots.a).toMatchObject({
      clusterName: 'shop-blue',
      mode: 'create',
      kubeconfig: { path: path.resolve('test/fixtures/config/legacy-blue-green/kubeconfigs/shop.yaml') },
    });
    expect(shop.slots.b.kubeconfig).toBeUndefined();
    const roles = {
      blue: { slot: 'a', name: 'shop-blue' },
      green: { slot: 'b', name: 'shop-green' },
    } as const;
    expect(toPromotionPlan(shop, controller, roles).steps.map((s) => s.green)).toEqual([10, 100]);
  });
});

const sharedContext = { path: 'kubeconfigs/shop.yaml', context: 'shop' };

describe('slot rules', () => {
  it.each([
    [
      'both slots and blue/green',
      { ...route53Platform, blue: blueGreenRoute53Platform.blue, green: blueGreenRoute53Platform.green },
      'slots',
      'use slots (a, b) or the older blue/green keys, not both',
    ],
    [
      'neither slots nor blue/green',
      withValue(route53Platform, ['slots'], undefined),
      'slots',
      'required: two cluster slots, as slots: { a: …, b: … }',
    ],
    [
      'blue without green',
      withValue(blueGreenRoute53Platform, ['green'], undefined),
      'green',
      'required with the blue/green keys',
    ],
    ['one slot only', withValue(route53Platform, ['slots', 'b'], undefined), 'slots.b', 'required'],
    [
      'a third slot',
      withValue(route53Platform, ['slots', 'c'], route53Platform.slots.b),
      'slots.c',
      'unknown key (expected one of: a, b)',
    ],
    [
      'slots with the older traffic keys',
      withValue(
        withValue(
          withValue(route53Platform, ['traffic', 'targets'], undefined),
          ['traffic', 'blue'],
          route53Platform.traffic.targets.a,
        ),
        ['traffic', 'green'],
        route53Platform.traffic.targets.b,
      ),
      'traffic.blue',
      'with slots, give each slot its target under traffic.targets (a, b)',
    ],
    [
      'traffic.targets and traffic.blue together',
      withValue(route53Platform, ['traffic', 'blue'], {
        setIdentifier: 'blue',
        values: ['blue.example.net'],
      }),
      'traffic.targets',
      'use targets (a, b) or the older blue/green keys, not both',
    ],
    [
      'traffic.targets and a blue/green target group ARN together',
      withValue(albSlotsPlatform, ['traffic', 'blueTargetGroupArn'], tg('blue')),
      'traffic.targets',
      'use targets (a, b) or the older blue/greenTargetGroupArn keys, not both',
    ],
    [
      'no Route 53 targets at all',
      withValue(route53Platform, ['traffic', 'targets'], undefined),
      'traffic.targets',
      'required: the weighted record of each slot, as targets: { a: …, b: … }',
    ],
    [
      'no ALB targets at all',
      withValue(albSlotsPlatform, ['traffic', 'targets'], undefined),
      'traffic.targets',
      'required: the target group of each slot, as targets: { a: { targetGroupArn }, b: … }',
    ],
    [
      'a missing Route 53 target for slot b',
      withValue(route53Platform, ['traffic', 'targets', 'b'], undefined),
      'traffic.targets.b',
      'required',
    ],
    [
      'a missing ALB target for slot a',
      withValue(albSlotsPlatform, ['traffic', 'targets', 'a'], undefined),
      'traffic.targets.a',
      'required',
    ],
    [
      'one set identifier for both slots',
      withValue(route53Platform, ['traffic', 'targets', 'b', 'setIdentifier'], 'shop-a'),
      'traffic.targets.b.setIdentifier',
      'must differ from targets.a\'s ("shop-a")',
    ],
    [
      'one target group for both slots',
      withValue(albSlotsPlatform, ['traffic', 'targets', 'b', 'targetGroupArn'], tg('blue')),
      'traffic.targets.b.targetGroupArn',
      "must differ from slot a's",
    ],
    [
      'two slots that resolve to one name',
      withValue(route53Platform, ['slots', 'b', 'clusterName'], 'shop-a'),
      'slots.b.clusterName',
      'can name the same cluster as slot a\'s "shop-{slot}": use {slot}, or names that differ',
    ],
    [
      'two slots with one fixed name',
      withValue(albSlotsPlatform, ['slots', 'b', 'clusterName'], 'payments-blue'),
      'slots.b.clusterName',
      'can name the same cluster as slot a\'s "payments-blue": use {slot}, or names that differ',
    ],
    [
      'one kubeconfig context for both slots',
      withValue(
        withValue(albSlotsPlatform, ['slots', 'a', 'kubeconfig'], sharedContext),
        ['slots', 'b', 'kubeconfig'],
        sharedContext,
      ),
      'slots.b.kubeconfig.context',
      "must differ from slot a's: both would reach the same cluster",
    ],
    [
      '{version} on the initial slot without initialLiveCluster',
      withValue(route53Platform, ['slots', 'a', 'clusterName'], 'shop-{version}'),
      'initialLiveCluster',
      'required: slot a\'s name "shop-{version}" uses {version}, so name the cluster that is live today',
    ],
    [
      'initialLiveCluster when the initial slot has a fixed name',
      { ...route53Platform, initialLiveCluster: 'shop-2024' },
      'initialLiveCluster',
      "only needed when slot a's name uses {version}; its cluster is shop-a",
    ],
    [
      'an initialLive that is not a slot',
      { ...route53Platform, initialLive: 'blue' },
      'initialLive',
      'must be one of "a", "b", got "blue"',
    ],
    [
      'initialLive with the blue/green keys',
      { ...blueGreenRoute53Platform, initialLive: 'b' },
      'initialLive',
      'only with slots: in the blue/green shape blue (slot a) is live at first',
    ],
    [
      'initialLiveCluster with the blue/green keys',
      { ...albPlatform, initialLiveCluster: 'payments-2024' },
      'initialLiveCluster',
      'only with slots: in the blue/green shape blue (slot a) is live at first',
    ],
    [
      'a maxVersionJump of 0',
      { ...route53Platform, maxVersionJump: 0 },
      'maxVersionJump',
      'must be at least 1',
    ],
    ['a maxVersionJump of 6', { ...albPlatform, maxVersionJump: 6 }, 'maxVersionJump', 'must be at most 5'],
    [
      'a fractional maxVersionJump',
      { ...route53Platform, maxVersionJump: 1.5 },
      'maxVersionJump',
      'expected a whole number, got 1.5',
    ],
  ])('rejects %s, naming the file and key', async (_, platform, at, problem) => {
    const { shown, issues } = await issuesOf(platform);
    expect(issues).toEqual([{ file: shown, path: at, problem }]);
  });

  it('rejects an unknown placeholder in a cluster name, naming the file and key', async () => {
    const { shown, issues } = await issuesOf(
      withValue(route53Platform, ['slots', 'a', 'clusterName'], 'shop-{region}-{slot}'),
    );
    expect(issues).toContainEqual({
      file: shown,
      path: 'slots.a.clusterName',
      problem: 'only {slot} and {version} may be filled in',
    });
    // The EKS name check also trips over the braces today; either way only this key is named.
    expect(new Set(issues.map((i) => i.path))).toEqual(new Set(['slots.a.clusterName']));
  });
});

describe('{{slot}} in an analysis query', () => {
  const bySlot = {
    name: 'errors-by-slot',
    provider: 'prometheus',
    query: { url: 'http://prometheus:9090', promql: 'sum(rate(errors{slot="{{slot}}"}[1m]))' },
    interval: '30s',
    count: 2,
    compare: { against: 'blue', maxRelativeIncrease: 0.2 },
  };
  const promql = (query: unknown) => (query as { promql?: string } | undefined)?.promql;

  it("is filled with each side's slot, and tells blue from green in a comparison", async () => {
    const { controller, platforms } = await loadPlatform(
      withValue(route53Platform, ['traffic', 'steps', 0, 'analysis'], [bySlot]),
    );
    // It loaded: {{slot}} differs between the sides, so the comparison needs no compare.query of its own.
    const shop = platforms.get('shop') ?? expect.fail('no shop');
    const first = { blue: { slot: 'a', name: 'shop-a' }, green: { slot: 'b', name: 'shop-b' } } as const;
    const [spec] = toPromotionPlan(shop, controller, first).steps[0]?.analysis ?? [];
    expect(promql(spec?.query)).toBe('sum(rate(errors{slot="b"}[1m]))');
    expect(promql(spec?.compare?.query)).toBe('sum(rate(errors{slot="a"}[1m]))');
    // The next promotion: slot b is live, so it is blue.
    const second = { blue: first.green, green: first.blue };
    const [next] = toPromotionPlan(shop, controller, second).steps[0]?.analysis ?? [];
    expect(promql(next?.query)).toBe('sum(rate(errors{slot="a"}[1m]))');
    expect(promql(next?.compare?.query)).toBe('sum(rate(errors{slot="b"}[1m]))');
  });
});

describe('slot names that can clash', () => {
  it('are found for fixed names, a fixed name a template can become, and templates that ignore the slot', () => {
    // Green is always newer than blue, so two {version} names never meet.
    expect(namesCanClash('shop-{version}', 'shop-{version}')).toBe(false);
    expect(namesCanClash('shop-{slot}', 'shop-{slot}')).toBe(false);
    expect(namesCanClash('payments-2024', 'payments-2025')).toBe(false);
    expect(namesCanClash('x-{version}', 'shop-1-35')).toBe(false);
    expect(namesCanClash('shop-{version}', 'shop-1-35')).toBe(true);
    expect(namesCanClash('shop-1-35', 'shop-{version}')).toBe(true);
    expect(namesCanClash('shop-{slot}', 'shop-a')).toBe(true);
    expect(namesCanClash('shop', 'shop')).toBe(true);
  });
});
