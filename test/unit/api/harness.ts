import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApi } from '../../../src/api/app.js';
import { Authenticator, digest, type Role } from '../../../src/api/auth.js';
import type { PlatformCatalog } from '../../../src/api/catalog.js';
import type { PromotionPlan } from '../../../src/domain/plan.js';
import type { FleetSurface } from '../../../src/fleet/surface.js';
import { createMetrics } from '../../../src/metrics.js';
import type { PromotionStore } from '../../../src/store/store.js';
import { fakeCatalog } from '../../fakes/catalog.js';
import { fakeFleetSurface } from '../../fakes/fleet-surface.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPlan } from '../../fakes/promotions.js';

export const tokens: Record<Role, string> = {
  viewer: 'viewer-token',
  operator: 'operator-token',
  admin: 'admin-token',
};
export const bearer = (role: Role) => ({ authorization: `Bearer ${tokens[role]}` });

/** The API over the engine harness (fake cloud, memory store, hand-driven clock). */
export async function apiHarness(
  options: {
    plan?: PromotionPlan;
    publicReads?: boolean;
    mutationsPerMinute?: number;
    /** Changes the fake platform catalog, e.g. to make one call fail. */
    catalog?: (catalog: PlatformCatalog) => PlatformCatalog;
    /** Where the API logs (default: nowhere). */
    log?: Logger;
    /** The store (default: the engine harness's memory store on its clock). */
    store?: PromotionStore;
    /** The fleet layer (default: a fake in memory, so the fleet routes exist as in `serve`); false: none. */
    fleets?: FleetSurface | false;
  } = {},
) {
  const engine = engineHarness(options.store ? { store: options.store } : {});
  const auth = new Authenticator(
    (Object.keys(tokens) as Role[]).map((role) => ({
      name: `${role}-user`,
      role,
      sha256: digest(tokens[role]),
    })),
    options.publicReads ?? false,
  );
  const app = await buildApi({
    controller: engine.controller,
    store: engine.store,
    platforms: (options.catalog ?? ((c) => c))(fakeCatalog(engine.providers, options.plan ?? testPlan())),
    auth,
    metrics: createMetrics(),
    log: options.log ?? pino({ level: 'silent' }),
    ready: async () => true,
    ...(options.mutationsPerMinute ? { mutationsPerMinute: options.mutationsPerMinute } : {}),
    ...(options.fleets === false ? {} : { fleets: options.fleets ?? fakeFleetSurface() }),
  });
  await app.ready();
  return { ...engine, app };
}

/** Starts a promotion of the fake "shop" platform as an operator, the way most API tests begin. */
export function promote(app: { inject: (options: InjectOptions) => Promise<LightMyRequestResponse> }) {
  return app.inject({
    method: 'POST',
    url: '/v1/promotions',
    headers: bearer('operator'),
    payload: { platform: 'shop', targetVersion: '1.35' },
  });
}
