import type { PlatformCatalog } from '../../src/api/catalog.js';
import { NotFoundError } from '../../src/domain/errors.js';
import type { PlatformProviders } from '../../src/domain/ports.js';
import { testPlan, testPromotion } from './promotions.js';

/** One platform, "shop", backed by the fake cloud's providers; ids are p-1, p-2, … in creation order. */
export function fakeCatalog(providers: PlatformProviders, plan = testPlan()): PlatformCatalog {
  let counter = 0;
  const shop = {
    name: 'shop',
    labels: { env: 'prod' },
    live: { slot: 'a' as const, cluster: 'shop-blue', since: '2026-11-25T10:00:00.000Z' },
    slots: {
      a: { cluster: 'shop-blue', mode: 'create' as const },
      b: { cluster: 'shop-green', mode: 'create' as const },
    },
    blue: { cluster: 'shop-blue' },
    green: { slot: 'b' as const, cluster: 'shop-green', mode: 'create' as const },
    router: 'route53' as const,
    steps: plan.steps.map((s) => ({ green: s.green, bakeMs: s.bakeMs, approval: s.approval })),
  };
  const get = (name: string) => {
    if (name !== 'shop') throw new NotFoundError('platform', name);
    return shop;
  };
  return {
    list: async () => [shop],
    get: async (name) => get(name),
    async newPromotion({ id, platform, targetVersion, createdBy, rollback }) {
      get(platform);
      const promotionPlan = rollback
        ? {
            ...plan,
            rollback: {
              ...plan.rollback,
              ...(rollback.mode ? { mode: rollback.mode } : {}),
              ...(rollback.green ? { green: rollback.green } : {}),
              ...(rollback.automatic === undefined ? {} : { automatic: rollback.automatic }),
            },
          }
        : plan;
      return { ...testPromotion(id ?? `p-${++counter}`, promotionPlan), toVersion: targetVersion, createdBy };
    },
    liveTraffic: async (name) => {
      get(name);
      return providers.router.read();
    },
    async plan(name, targetVersion) {
      get(name);
      return {
        platform: name,
        fromVersion: '1.34',
        toVersion: targetVersion,
        blue: { slot: 'a', cluster: 'shop-blue' },
        green: { slot: 'b', cluster: 'shop-green', mode: 'create' },
        targets: { blue: 'record shop set blue', green: 'record shop set green' },
        blockers: [],
        stages: [{ name: 'provision', action: 'create shop-green' }],
        addons: { 'vpc-cni': 'v1.20.0-eksbuild.1' },
        removedApis: { verdict: 'pass', checks: [], warnings: [] },
      };
    },
  };
}
