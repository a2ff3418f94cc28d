import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/domain/stage.js';
import { Controller } from '../../../src/engine/controller.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { FakeCloud, initialCloud } from '../../fakes/fake-cloud.js';
import { testPromotion } from '../../fakes/promotions.js';

describe('a controller that may not act', () => {
  it('skips passes while mayAct says no, and runs them again once it says yes', async () => {
    const store = createMemoryStore();
    const cloud = new FakeCloud(initialCloud('shop-blue'));
    const runs: string[] = [];
    const provision: Stage = {
      name: 'provision',
      run: async (ctx) => {
        runs.push(ctx.promotion.id);
        return { phase: 'running', requeueAfterMs: 60_000, message: 'creating' };
      },
    };
    let leads = false;
    const controller = new Controller({
      store,
      stages: [provision],
      providersFor: () => cloud.providers(),
      log: pino({ level: 'silent' }),
      mayAct: () => leads,
    });
    const started = await controller.startPromotion(testPromotion('p-1'));
    await controller.reconciler.idle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toEqual([]);
    expect((await store.get(started.id))?.version).toBe(started.version);

    leads = true;
    controller.reconciler.wake(started.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await controller.reconciler.idle();
    expect(runs).toEqual(['p-1']);
    await controller.stop();
  });
});
