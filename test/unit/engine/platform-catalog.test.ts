import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { controllerSchema, type PlatformConfig, platformSchema } from '../../../src/config/schema.js';
import { InvalidInputError, PlatformStateError } from '../../../src/domain/errors.js';
import type { PromotionRoles as ProviderRoles } from '../../../src/domain/slots.js';
import { configCatalog, recordPlatforms } from '../../../src/engine/platform-catalog.js';
import { FakeCloud, initialCloud } from '../../fakes/fake-cloud.js';
import { engineHarness } from '../../fakes/harness.js';

const template = {
  roleArn: 'arn:aws:iam::123456789012:role/eks',
  subnetIds: ['subnet-0a', 'subnet-0b'],
  nodeGroups: [
    {
      name: 'general',
      instanceTypes: ['m6i.large'],
      nodeRoleArn: 'arn:aws:iam::123456789012:role/nodes',
      minSize: 1,
      maxSize: 2,
      desiredSize: 1,
    },
  ],
};

const shopInput = {
  name: 'shop',
  slots: {
    a: { clusterName: 'shop-{slot}', mode: 'create', template },
    b: { clusterName: 'shop-{slot}', mode: 'create', template },
  },
  traffic: {
    router: 'route53',
    hostedZoneId: 'Z123',
    recordName: 'shop.example.test',
    recordType: 'CNAME',
    ttl: '60s',
    targets: {
      a: { setIdentifier: 'shop-a', values: ['a.lb'] },
      b: { setIdentifier: 'shop-b', values: ['b.lb'] },
    },
    steps: [{ green: 100, bake: '60s' }],
  },
  rollback: { green: 'keep' },
  services: {
    source: { kind: 'external', workloads: [{ kind: 'Deployment', namespace: 'shop', name: 'api' }] },
  },
};
const shop: PlatformConfig = platformSchema.parse(shopInput);

/** The real catalog over the fake cloud: every role assignment gets the fake providers, as the engine does. */
function setup() {
  const cloud = new FakeCloud(initialCloud('shop-a'));
  cloud.state.clusters['shop-a'] = { pollsLeft: 0, token: 'pre-existing', version: '1.33' };
  const h = engineHarness({ cloud, recordShop: false });
  const roles: ProviderRoles[] = [];
  const options = {
    controller: controllerSchema.parse({ store: { path: ':memory:' }, aws: { region: 'us-east-1' } }),
    platforms: new Map([
      [
        'shop',
        {
          config: shop,
          providers: (r: ProviderRoles) => {
            roles.push(r);
            return h.providersFor(r);
          },
        },
      ],
    ]),
    store: h.store,
    log: pino({ level: 'silent' }),
    now: h.clock.now,
  };
  return { h, cloud, roles, options, catalog: configCatalog(options) };
}

async function promoteToEnd(s: ReturnType<typeof setup>, to: string) {
  const input = await s.catalog.newPromotion({ platform: 'shop', targetVersion: to, createdBy: 'ann' });
  const started = await s.h.controller.startPromotion(input);
  await s.h.drive(started.id);
  await s.h.controller.approve(started.id, 'decommission', { name: 'ann', mayDecommission: true });
  return s.h.drive(started.id);
}

describe('platform catalog: slots and the live cluster', () => {
  it('records the first sight once and alternates slots with every promotion that reaches decommission', async () => {
    const s = setup();
    await recordPlatforms(s.options);
    // The version is read from the cloud once, when the platform is first seen.
    expect((await s.catalog.get('shop')).live).toEqual({
      slot: 'a',
      cluster: 'shop-a',
      version: '1.33',
      since: s.h.clock.now().toISOString(),
    });
    await recordPlatforms(s.options);
    expect(s.cloud.calls('clusters.inspect')).toEqual(['clusters.inspect(shop-a)']);

    const first = await promoteToEnd(s, '1.34');
    expect(first).toMatchObject({
      phase: 'succeeded',
      fromVersion: '1.33',
      blue: { slot: 'a' },
      green: { slot: 'b' },
    });
    expect(s.cloud.state.deleted).toEqual(['shop-a']);
    const afterFirst = await s.catalog.get('shop');
    expect(afterFirst.live).toMatchObject({
      slot: 'b',
      cluster: 'shop-b',
      version: '1.34',
      promotionId: first.id,
    });
    expect(afterFirst.green).toMatchObject({ slot: 'a', cluster: 'shop-a' });

    // The second upgrade: blue is the live slot b, green is slot a again, its cluster re-created.
    s.h.clock.advance(1000);
    const second = await promoteToEnd(s, '1.35');
    expect(second).toMatchObject({
      phase: 'succeeded',
      fromVersion: '1.34',
      blue: { name: 'shop-b', slot: 'b' },
      green: { name: 'shop-a', slot: 'a' },
    });
    expect(s.cloud.state.created['shop-a']).toBe(1);
    expect(s.cloud.state.deleted).toEqual(['shop-a', 'shop-b']);
    expect((await s.catalog.get('shop')).live).toMatchObject({
      slot: 'a',
      version: '1.35',
      promotionId: second.id,
    });
    // The router of each promotion had the live slot's target as blue.
    expect(s.roles.map((r) => `${r.blue.slot}→${r.green.slot}`)).toContain('b→a');
  });

  it('names the promotion by the id it is given (a Promotion resource name), else makes one up', async () => {
    const s = setup();
    const named = await s.catalog.newPromotion({
      id: 'shop-to-1-34',
      platform: 'shop',
      targetVersion: '1.34',
      createdBy: 'ann',
    });
    expect(named.id).toBe('shop-to-1-34');
    const made = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    expect(made.id).toMatch(/^shop-\d{14}-[0-9a-f]{4}$/);
  });

  it('refuses a target that is not newer, jumps too far, or that EKS does not offer, naming body.targetVersion', async () => {
    const { catalog } = setup();
    for (const [target, problem] of [
      ['1.33', /must be newer than the live cluster shop-a \(Kubernetes 1\.33\)/],
      ['1.32', /must be newer/],
      ['1.35', /2 minor versions ahead/],
    ] as const) {
      const refusal = catalog.newPromotion({ platform: 'shop', targetVersion: target, createdBy: 'ann' });
      await expect(refusal).rejects.toBeInstanceOf(InvalidInputError);
      await expect(refusal).rejects.toThrow(problem);
    }
    const jumpy = setup();
    const config = { ...shop, maxVersionJump: 5 };
    const platform = jumpy.options.platforms.get('shop');
    if (platform) jumpy.options.platforms.set('shop', { ...platform, config });
    await expect(
      configCatalog(jumpy.options).newPromotion({
        platform: 'shop',
        targetVersion: '1.37',
        createdBy: 'ann',
      }),
    ).rejects.toThrow(/EKS does not offer Kubernetes 1\.37/);
  });

  it('refuses while the green slot holds a kept cluster, names the teardown, and accepts after it', async () => {
    const s = setup();
    const input = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await s.h.controller.startPromotion(input);
    await s.h.drive(input.id);
    await s.h.controller.rollback(input.id, { by: 'ann', reason: 'not today' });
    expect((await s.h.drive(input.id)).phase).toBe('rolled-back');
    expect((await s.catalog.get('shop')).live.slot).toBe('a');

    const refused = s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await expect(refused).rejects.toBeInstanceOf(PlatformStateError);
    await expect(refused).rejects.toThrow(
      new RegExp(
        `slot b still holds cluster shop-b, left by promotion ${input.id} \\(rolled-back\\): delete it with \`switchyard teardown ${input.id}\``,
      ),
    );

    await s.h.controller.teardownGreen(input.id, 'ann');
    await s.h.drive(input.id);
    const next = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    expect(next.green).toMatchObject({ slot: 'b', name: 'shop-b' });
  });

  it('refuses when the live cluster is gone, and while another promotion is active', async () => {
    const s = setup();
    const input = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await s.h.controller.startPromotion(input);
    await expect(
      s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' }),
    ).rejects.toThrow(/already has an active promotion/);
    await s.h.controller.abandon(input.id, 'ann', 'test');
    delete s.cloud.state.clusters['shop-a'];
    await expect(
      s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' }),
    ).rejects.toThrow(/its live cluster shop-a \(slot a\) does not exist/);
  });
});

describe('platform catalog: the dry run', () => {
  it('shows both slots, their traffic targets, the add-ons and the removed-API verdict, through the ports', async () => {
    const s = setup();
    const plan = await s.catalog.plan('shop', '1.34');
    expect(plan).toMatchObject({
      fromVersion: '1.33',
      toVersion: '1.34',
      blue: { slot: 'a', cluster: 'shop-a' },
      green: { slot: 'b', cluster: 'shop-b', mode: 'create' },
      targets: {
        blue: 'record shop.example.test CNAME set shop-a → a.lb',
        green: 'record shop.example.test CNAME set shop-b → b.lb',
      },
      blockers: [],
      addons: { 'vpc-cni': 'v1.20.0-for-1.34' },
      removedApis: { verdict: 'pass' },
    });
    expect(s.cloud.calls('health.removedApis')).toEqual(['health.removedApis(shop-a)']);
    // A caller's mistake is a 400, from the dry run as from the real thing.
    await expect(s.catalog.plan('shop', '1.0')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('lists what would refuse the promotion instead of refusing the dry run', async () => {
    const s = setup();
    const input = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await s.h.controller.startPromotion(input);
    const plan = await s.catalog.plan('shop', '1.34');
    expect(plan.blockers).toEqual([expect.stringMatching(new RegExp(`promotion ${input.id} is running`))]);
  });
});

describe('platform catalog: what a finished promotion leaves behind', () => {
  it('refuses a teardown whose blue is no longer live: it would move traffic to the wrong cluster', async () => {
    const s = setup();
    const a = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await s.h.controller.startPromotion(a);
    await s.h.drive(a.id);
    await s.h.controller.rollback(a.id, { by: 'ann', reason: 'kept for a look' });
    await s.h.drive(a.id);
    delete s.cloud.state.clusters['shop-b']; // deleted by hand
    s.h.clock.advance(1000);
    const b = await promoteToEnd(s, '1.34');
    expect((await s.catalog.get('shop')).live).toMatchObject({ slot: 'b', promotionId: b.id });
    await expect(s.h.controller.teardownGreen(a.id, 'ann')).rejects.toThrow(
      /its blue shop-a \(slot a\) is no longer the live cluster \(shop-b in slot b is\)/,
    );
  });

  it('refuses a promotion while the router still sends traffic to the green slot, and teardown clears it', async () => {
    const s = setup();
    const a = await s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await s.h.controller.startPromotion(a);
    await s.h.drive(a.id, { until: (p) => p.traffic.green === 100 });
    await s.h.controller.abandon(a.id, 'ann', 'operator error');
    const refused = s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    await expect(refused).rejects.toThrow(
      new RegExp(
        `the router still sends 100% of traffic to slot b .*: \`switchyard teardown ${a.id}\` moves it back`,
      ),
    );
    await s.h.controller.teardownGreen(a.id, 'ann');
    await s.h.drive(a.id);
    expect(s.cloud.greenPercent()).toBe(0);
    await expect(
      s.catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' }),
    ).resolves.toMatchObject({ green: { slot: 'b' } });
  });

  it('with {version} names, finds a cluster an earlier promotion left in the green slot under another name', async () => {
    const s = setup();
    const versioned = platformSchema.parse({
      ...shopInput,
      slots: {
        a: { clusterName: 'shop-{version}', mode: 'create', template },
        b: { clusterName: 'shop-{version}', mode: 'create', template },
      },
      initialLiveCluster: 'shop-a',
      maxVersionJump: 2,
    });
    const platform = s.options.platforms.get('shop');
    if (platform) s.options.platforms.set('shop', { ...platform, config: versioned });
    const catalog = configCatalog(s.options);
    const a = await catalog.newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' });
    expect(a.green).toMatchObject({ slot: 'b', name: 'shop-1-34' });
    await s.h.controller.startPromotion(a);
    await s.h.drive(a.id);
    await s.h.controller.rollback(a.id, { by: 'ann', reason: 'kept' });
    await s.h.drive(a.id);
    await expect(
      catalog.newPromotion({ platform: 'shop', targetVersion: '1.35', createdBy: 'ann' }),
    ).rejects.toThrow(
      new RegExp(`slot b still holds cluster shop-1-34, left by promotion ${a.id} \\(rolled-back\\)`),
    );
  });

  it('refuses when the file no longer describes the live cluster in its slot', async () => {
    const s = setup();
    await recordPlatforms(s.options);
    const swapped = platformSchema.parse({
      ...shopInput,
      slots: {
        a: { clusterName: 'shop-other', mode: 'create', template },
        b: { clusterName: 'shop-{slot}', mode: 'create', template },
      },
    });
    const platform = s.options.platforms.get('shop');
    if (platform) s.options.platforms.set('shop', { ...platform, config: swapped });
    await expect(
      configCatalog(s.options).newPromotion({ platform: 'shop', targetVersion: '1.34', createdBy: 'ann' }),
    ).rejects.toThrow(/the store has shop-a live in slot a, but slots\.a\.clusterName is "shop-other"/);
  });
});
