import { EKSClient } from '@aws-sdk/client-eks';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { controllerSchema, type PlatformConfig, platformSchema } from '../../../src/config/schema.js';
import { InvalidInputError, PlatformStateError } from '../../../src/domain/errors.js';
import { configCatalog, recordPlatforms } from '../../../src/server/catalog.js';
import type { ProviderRoles } from '../../../src/server/providers.js';
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

const shop: PlatformConfig = platformSchema.parse({
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
});

/** The real catalog over the fake cloud: every role assignment gets the fake providers, as the engine does. */
function setup() {
  const cloud = new FakeCloud(initialCloud('shop-a'));
  cloud.state.clusters['shop-a'] = { pollsLeft: 0, token: 'pre-existing', version: '1.33' };
  const h = engineHarness({ cloud });
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
            return h.providers;
          },
          access: async () => {
            throw new Error('not used');
          },
        },
      ],
    ]),
    store: h.store,
    eks: new EKSClient({ region: 'us-east-1' }),
    log: pino({ level: 'silent' }),
    now: h.clock.now,
  };
  return { h, cloud, roles, options, catalog: configCatalog(options) };
}

async function promoteToEnd(s: ReturnType<typeof setup>, to: string) {
  const input = await s.catalog.newPromotion({ platform: 'shop', targetVersion: to, createdBy: 'ann' });
  const started = await s.h.controller.startPromotion(input);
  await s.h.drive(started.id);
  await s.h.controller.approve(started.id, 'decommission', 'ann');
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
