import pino from 'pino';
import type { PlatformProviders } from '../../src/domain/ports.js';
import type { Promotion } from '../../src/domain/promotion.js';
import { Controller } from '../../src/engine/controller.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { PromotionStore } from '../../src/store/store.js';
import { orderedStages } from '../../stages/index.js';
import { FakeCloud, initialCloud } from './fake-cloud.js';

/** A clock tests move by hand; passes see exactly the time the test chose. */
export class FakeClock {
  private ms = Date.parse('2026-11-25T10:00:00Z');
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface EngineHarness {
  readonly cloud: FakeCloud;
  readonly clock: FakeClock;
  readonly store: PromotionStore;
  readonly controller: Controller;
  /** The providers the engine uses for a promotion from slot a; tests may replace a method to inject a fault. */
  readonly providers: PlatformProviders;
  /** The providers for a promotion with blue in the given slot (slot b: the router sees the records flipped). */
  providersFor(roles: { readonly blue: { readonly slot: 'a' | 'b' } }): PlatformProviders;
  /** Runs passes, moving the clock to each requeue, until the promotion waits for a person or ends. */
  drive(id: string, options?: { maxPasses?: number; until?: (p: Promotion) => boolean }): Promise<Promotion>;
  get(id: string): Promise<Promotion>;
}

export function engineHarness(
  options: {
    cloud?: FakeCloud;
    store?: PromotionStore;
    /** Record "shop" as first seen with slot a (shop-blue) live, as serve does (default); false: record nothing. */
    recordShop?: boolean;
  } = {},
): EngineHarness {
  const clock = new FakeClock();
  const cloud = options.cloud ?? new FakeCloud(initialCloud('shop-blue'));
  const store = options.store ?? createMemoryStore({ now: clock.now });
  const providers = cloud.providers();
  const fromSlotB = cloud.providers(60, 'b');
  const providersFor = (roles: { readonly blue: { readonly slot: 'a' | 'b' } }) =>
    roles.blue.slot === 'b' ? fromSlotB : providers;
  const controller = new Controller({
    store,
    stages: orderedStages,
    providersFor,
    log: pino({ level: 'silent' }),
    now: clock.now,
    // Tests drive passes themselves; the reconciler's timers never fire.
    timers: { setTimeout: () => undefined, clearTimeout: () => {} },
  });
  // The platform as the controller records it when first seen: slot a (shop-blue) live.
  if (options.recordShop !== false)
    void store.recordPlatform({
      name: 'shop',
      initial: { slot: 'a', cluster: 'shop-blue' },
      firstSeenAt: clock.now().toISOString(),
    });
  const get = async (id: string) => {
    const promotion = await store.get(id);
    if (promotion === undefined) throw new Error(`no promotion ${id}`);
    return promotion;
  };
  return {
    cloud,
    clock,
    store,
    controller,
    providers,
    providersFor,
    get,
    async drive(id, { maxPasses = 500, until } = {}) {
      for (let i = 0; i < maxPasses; i++) {
        if (until?.(await get(id))) break;
        const outcome = await controller.engine.pass(id);
        if (outcome.requeueAfterMs === undefined) break;
        clock.advance(outcome.requeueAfterMs);
      }
      return get(id);
    },
  };
}
