import { describe, expect, it } from 'vitest';
import { ActivePromotionExistsError } from '../../../src/domain/errors.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { PromotionStore } from '../../../src/store/store.js';
import { engineHarness, FakeClock } from '../../fakes/harness.js';
import { testPromotion } from '../../fakes/promotions.js';

describe('concurrency', () => {
  it('a second promotion for a platform with an active one is rejected and stores nothing', async () => {
    const h = engineHarness();
    await h.controller.startPromotion(testPromotion('p-1'));
    await expect(h.controller.startPromotion(testPromotion('p-2'))).rejects.toBeInstanceOf(
      ActivePromotionExistsError,
    );
    await expect(h.controller.startPromotion(testPromotion('p-2'))).rejects.toThrow(
      /already has an active promotion: p-1/,
    );
    expect(await h.store.get('p-2')).toBeUndefined();
  });

  it('a command that lands while a pass works wins; the pass loses its write and looks again', async () => {
    const clock = new FakeClock();
    const inner = createMemoryStore({ now: clock.now });
    let interleave: (() => Promise<unknown>) | undefined;
    // The first write of the pass is preceded by a person's pause, as if the request arrived mid-pass.
    const store: PromotionStore = {
      ...inner,
      async update(next, events) {
        const before = interleave;
        interleave = undefined;
        if (before) await before();
        return inner.update(next, events);
      },
    };
    const h = engineHarness({ store });
    h.cloud.behaviour.hold.add('provision');
    await h.controller.startPromotion(testPromotion());
    interleave = () => h.controller.pause('p-1', 'bob', 'freeze');
    const outcome = await h.controller.engine.pass('p-1');
    expect(outcome).toEqual({ requeueAfterMs: 0 });
    const stored = await h.get('p-1');
    expect(stored).toMatchObject({ phase: 'paused', pauseReason: 'freeze', version: 2 });
    expect((await h.store.events('p-1')).map((e) => e.type)).toEqual([
      'promotion.created',
      'promotion.paused',
    ]);
    // The next pass sees the pause and does nothing.
    expect(await h.controller.engine.pass('p-1')).toEqual({});
  });
});
