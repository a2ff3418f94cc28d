import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../../src/domain/plan.js';
import {
  type ProbeReading,
  type ProbeStart,
  probeMayRun,
  type TrafficProbes,
} from '../../../src/domain/probe.js';
import type { Promotion } from '../../../src/domain/promotion.js';
import { Controller } from '../../../src/engine/controller.js';
import { ProbeTally } from '../../../src/providers/probe/tally.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { orderedStages } from '../../../stages/index.js';
import type { ShiftProgress } from '../../../stages/shift-traffic.js';
import type { FakeCloud } from '../../fakes/fake-cloud.js';
import { engineHarness } from '../../fakes/harness.js';
import { testPlan, testPromotion } from '../../fakes/promotions.js';

const spec: ProbeSpec = {
  url: 'http://shop.example.test/healthz',
  ratePerSecond: 10,
  servedByHeader: 'x-served-by',
  errorBudget: 0,
  timeoutMs: 2000,
  keepAliveShare: 0.5,
};
const plan = { ...testPlan(), probe: spec };
const progress = (p: Promotion) => p.stages['shift-traffic'].saved as ShiftProgress;

/**
 * Probes that record their calls in the fake cloud's call log. Every read finds ten more requests,
 * split as the fake router's weights are, and `failing(percent on green)` of them failed on green.
 */
class RecordingProbes implements TrafficProbes {
  readonly running = new Map<
    string,
    { reading: Omit<ProbeReading, 'counts'>; tally: ProbeTally; promotionId: string }
  >();
  private lives = 0;

  constructor(
    private readonly cloud: FakeCloud,
    private readonly failing: (green: number) => number = () => 0,
  ) {}

  start(request: ProbeStart): ProbeReading {
    this.cloud.state.calls.push(`probe.start(${request.key})`);
    const existing = this.running.get(request.key);
    if (existing === undefined) {
      for (const [key, other] of this.running)
        if (other.promotionId === request.promotionId) this.running.delete(key);
      this.running.set(request.key, {
        reading: { life: `life-${++this.lives}`, startedAt: new Date(0).toISOString() },
        tally: new ProbeTally(),
        promotionId: request.promotionId,
      });
    }
    return this.snapshot(request.key) as ProbeReading;
  }

  read(key: string): ProbeReading | undefined {
    const entry = this.running.get(key);
    if (entry === undefined) return undefined;
    const green = this.cloud.greenPercent();
    const failed = this.failing(green);
    for (let i = 0; i < 10; i++) {
      const side = i < failed ? 'green' : i < Math.round(green / 10) ? 'green' : 'blue';
      entry.tally.record(i % 2 === 0 ? 'fresh' : 'keptAlive', 'bake', {
        kind: 'response',
        status: i < failed ? 503 : 200,
        side,
        ms: 4,
      });
    }
    return this.snapshot(key);
  }

  verified(key: string): void {
    this.cloud.state.calls.push(`probe.verified(${key})`);
  }

  async stop(key: string): Promise<ProbeReading | undefined> {
    this.cloud.state.calls.push(`probe.stop(${key})`);
    const reading = this.snapshot(key);
    this.running.delete(key);
    return reading;
  }

  /** As the registry does for the engine. */
  settle(promotion: Promotion): void {
    if (probeMayRun(promotion)) return;
    for (const [key, entry] of this.running) {
      if (entry.promotionId === promotion.id) void this.stop(key);
    }
  }

  /** The controller restarted: every probe is gone. */
  forget(): void {
    this.running.clear();
  }

  private snapshot(key: string): ProbeReading | undefined {
    const entry = this.running.get(key);
    return entry && { ...entry.reading, counts: entry.tally.snapshot() };
  }
}

function probedHarness(failing?: (green: number) => number) {
  const h = engineHarness();
  const probes = new RecordingProbes(h.cloud, failing);
  // The engine's providers object is shared: giving it probes is what serve's wiring does.
  Object.assign(h.providers, { probes });
  return { h, probes };
}

describe('the traffic probe in the shift-traffic stage', () => {
  it("starts each step's probe before its write, stops it at the step's end and keeps a summary per step", async () => {
    const { h, probes } = probedHarness();
    await h.controller.startPromotion(testPromotion('p-1', plan));
    const done = await h.drive('p-1', { until: (p) => p.currentStage === 'decommission' });

    const calls = h.cloud.state.calls;
    [1, 10, 50, 100].forEach((green, step) => {
      const started = calls.indexOf(`probe.start(p-1/${step})`);
      expect(started).toBeGreaterThanOrEqual(0);
      expect(started).toBeLessThan(calls.indexOf(`router.apply(${green})`));
      expect(calls.indexOf(`probe.verified(p-1/${step})`)).toBeGreaterThan(
        calls.indexOf(`router.apply(${green})`),
      );
      expect(calls.indexOf(`probe.stop(p-1/${step})`)).toBeGreaterThan(
        calls.indexOf(`probe.verified(p-1/${step})`),
      );
    });
    expect(probes.running.size).toBe(0);
    const probed = progress(done).probed ?? [];
    expect(probed.map((s) => [s.step, s.before, s.green, s.findings.failed])).toEqual([
      [0, 0, 1, 0],
      [1, 1, 10, 0],
      [2, 10, 50, 0],
      [3, 50, 100, 0],
    ]);
    expect(probed[2]?.findings.observedGreen.bake).toBe(50);
    expect(probed.every((s) => s.sent > 0)).toBe(true);
  });

  it('saves the cumulative evidence on every pass of the bake', async () => {
    const { h } = probedHarness();
    await h.controller.startPromotion(testPromotion('p-1', plan));
    const baking = await h.drive('p-1', {
      until: (p) => progress(p)?.part === 'bake' && progress(p).step === 1,
    });
    const first = progress(baking).probe;
    const outcome = await h.controller.engine.pass('p-1');
    h.clock.advance(outcome.requeueAfterMs ?? 0);
    await h.controller.engine.pass('p-1');
    const later = progress(await h.get('p-1')).probe;
    expect(later?.life).toBe(first?.life);
    expect(later?.counts.sent).toBeGreaterThan(first?.counts.sent ?? Infinity);
    expect(later?.updatedAt).toBe(h.clock.now().toISOString());
    expect(later?.intended).toEqual({ before: 1, green: 10 });
  });

  it('fails the step over the error budget; with automatic rollback the engine rolls back', async () => {
    const { h, probes } = probedHarness((green) => (green >= 50 ? 1 : 0));
    await h.controller.startPromotion(testPromotion('p-1', plan));
    const done = await h.drive('p-1');
    expect(done.phase).toBe('rolled-back');
    expect(done.stages['shift-traffic']).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(
        /^probe: \d+ failed requests? of \d+ at 50% to green \(error budget 0\): green: \d+ non-2xx$/,
      ),
    });
    expect(h.cloud.state.calls).toContain('probe.stop(p-1/2)');
    expect(h.cloud.state.calls).not.toContain('router.apply(100)');
    expect(probes.running.size).toBe(0);
  });

  it('after a controller restart starts the probe again and says since when the evidence was interrupted', async () => {
    const { h, probes } = probedHarness();
    await h.controller.startPromotion(testPromotion('p-1', plan));
    const baking = await h.drive('p-1', {
      until: (p) => progress(p)?.part === 'bake' && progress(p).step === 0,
    });
    const before = progress(baking).probe;
    probes.forget();
    h.clock.advance(1_000);
    await h.controller.engine.pass('p-1');
    const after = progress(await h.get('p-1')).probe;
    expect(after?.life).not.toBe(before?.life);
    expect(after?.interruptions).toEqual([{ since: before?.updatedAt, resumedAt: expect.any(String) }]);
    expect(after?.earlier?.sent).toBe(before?.counts.sent);
    // The new probe has counted nothing yet; its requests add to what was saved from the first.
    expect(after?.counts.sent).toBe(before?.counts.sent);
    h.clock.advance(1_000);
    await h.controller.engine.pass('p-1');
    const next = progress(await h.get('p-1')).probe;
    expect(next?.counts.sent).toBe((before?.counts.sent ?? 0) + 10);
    expect(next?.interruptions).toHaveLength(1);
  });

  it("stops a paused promotion's probe: the engine tells the probes about every promotion it reads", async () => {
    const store = createMemoryStore();
    const { h, probes } = probedHarness();
    const controller = new Controller({
      store,
      stages: orderedStages,
      providersFor: () => h.providers,
      log: pino({ level: 'silent' }),
      observe: (promotion) => probes.settle(promotion),
      timers: { setTimeout: () => undefined, clearTimeout: () => {} },
    });
    await controller.startPromotion(testPromotion('p-1', plan));
    for (let i = 0; i < 40 && probes.running.size === 0; i++) await controller.engine.pass('p-1');
    expect(probes.running.size).toBe(1);
    await controller.pause('p-1', 'alice', 'looking at a dashboard');
    await controller.engine.pass('p-1');
    expect(probes.running.size).toBe(0);
  });
});

describe('probeMayRun', () => {
  it('only while shift-traffic runs', async () => {
    const { h } = probedHarness();
    const created = await h.controller.startPromotion(testPromotion('p-1', plan));
    expect(probeMayRun(created)).toBe(false);
    const shifting = {
      ...created,
      currentStage: 'shift-traffic' as const,
      stages: { ...created.stages, 'shift-traffic': { state: 'running' as const, message: '', attempts: 0 } },
    };
    expect(probeMayRun(shifting)).toBe(true);
    expect(probeMayRun({ ...shifting, phase: 'waiting-approval' })).toBe(true);
    expect(probeMayRun({ ...shifting, phase: 'paused' })).toBe(false);
    expect(probeMayRun({ ...shifting, phase: 'rolling-back' })).toBe(false);
  });
});
