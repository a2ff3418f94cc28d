/**
 * Zero downtime, shown end to end: shop's public name resolves through a DNS server that answers from
 * the weighted records in moto, to an ingress stand-in per cluster on loopback. A population of clients
 * with their own DNS caches and kept-alive connections (test/env/synthetic-client.ts) requests shop
 * through a promotion and through a rollback, and none of their requests may fail; green's share of
 * them follows the verified weights. The product's own traffic probe must agree, and must catch a green
 * that answers 503 at the first step, rolling back by itself.
 *
 * The tests share one world and run in order: broken green, rollback at 50 %, full promotion (which
 * ends at the decommission gate).
 */
import { afterAll, expect, it } from 'vitest';
import { failedRequests, observedSplit, type PeriodSplit, weightPeriods } from '../env/observed-split.js';
import { type RequestRecord, type SyntheticClient, startSyntheticClient } from '../env/synthetic-client.js';
import type { ProbeWorld } from '../env/world-probe.js';
import { describeWithServers } from '../integration/environment.js';
import { shopState } from './moto-state.js';
import { type Json, useE2E } from './support.js';

/** The first step bakes longest: the probe must see a 10 % green (one DNS answer in ten) to catch it. */
const steps = [
  { green: 10, bake: '12s' },
  { green: 50, bake: '8s' },
  { green: 100, bake: '8s' },
];
const bakeMs = (green: number) =>
  Number.parseInt(steps.find((s) => s.green === green)?.bake ?? '0', 10) * 1000;
const clusters = { blue: 'shop-blue', green: 'shop-green' };
/** Fewer answers than this in a step and its split says too little to be judged. */
const minAnswers = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithServers('zero downtime through DNS weights, with clients that cache and keep connections', () => {
  const e2e = useE2E({ probe: true, platform: { steps } });
  const figures: string[] = [];
  afterAll(() => {
    console.log(`zero-downtime: ${figures.join('; ')}`);
  });

  const probeWorld = (): ProbeWorld => {
    const probe = e2e.world.probe;
    if (probe === undefined) throw new Error('the world was started without the probe option');
    return probe;
  };

  function clientPopulation(): SyntheticClient {
    const probe = probeWorld();
    // 60 clients at 2 requests a second each: each asks DNS about once a second (TTL 1 s), so a step's
    // window of several seconds holds a few hundred answers, the independent draws of the split.
    return startSyntheticClient({
      url: probe.url,
      resolver: probe.resolver,
      clients: 60,
      ratePerSecond: 120,
      servedByHeader: 'x-served-by',
    });
  }

  async function promote(): Promise<string> {
    const created = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  }

  /** A rolled-back promotion's green is deleted after its drain delay; the next promotion needs it gone. */
  async function untilGreenIsGone(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (!(await shopState(e2e.world.aws.hostedZoneId)).clusters.includes('shop-green')) return;
      await sleep(200);
    }
    throw new Error('shop-green is still in moto');
  }

  function describeFailures(failed: readonly RequestRecord[]): string {
    return JSON.stringify(
      failed.slice(0, 5).map((r) => ({ lane: r.lane, error: r.error, status: r.status })),
    );
  }

  function shiftSaved(p: Json): Json {
    return p.stages['shift-traffic'].saved ?? {};
  }

  it('a green that answers 503 is caught by the probe at the first step and rolled back', async () => {
    const probe = probeWorld();
    probe.ingress.green.mode = 'unavailable';
    try {
      const id = await promote();
      const done = await e2e.waitFor(id, (p) => p.phase === 'rolled-back', 120_000);
      const stage = done.stages['shift-traffic'];
      expect(stage.state).toBe('failed');
      expect(stage.message).toMatch(
        /^probe: \d+ failed requests? of \d+ at 10% to green .*green: \d+ non-2xx/,
      );
      // The only weight verified before the rollback was the first step's.
      expect(done.traffic.history.map((h: Json) => h.green)).toEqual([10, 0]);
      expect((await shopState(e2e.world.aws.hostedZoneId)).weights).toEqual({
        'shop-blue': 100,
        'shop-green': 0,
      });
      figures.push(`broken green caught at 10% (${stage.message.split(':')[1]?.trim()})`);
    } finally {
      probe.ingress.green.mode = 'ok';
    }
    await untilGreenIsGone();
  });

  it('a rollback at 50 %: no client request fails, and after it every new answer goes to blue', async () => {
    const ttlMs = probeWorld().ttlSeconds * 1000;
    const client = clientPopulation();
    let records: readonly RequestRecord[] = [];
    try {
      const id = await promote();
      await e2e.waitFor(id, (p) => p.traffic.green === 50 && p.currentStage === 'shift-traffic', 120_000);
      // Into the bake, so clients have moved to green before they are moved back.
      await sleep(4_000);
      const rollbackAskedAt = Date.now();
      const asked = await e2e.api('POST', `/v1/promotions/${id}/rollback`, { reason: 'e2e: zero downtime' });
      expect(asked.status, JSON.stringify(asked.body)).toBe(200);
      const done = await e2e.waitFor(id, (p) => p.phase === 'rolled-back', 120_000);
      expect(done.traffic.history.map((h: Json) => h.green)).toEqual([10, 50, 0]);
      // A TTL for the last cached answers to expire, then some more requests on fresh answers.
      await sleep(ttlMs + 2_000);
      records = await client.stop();
      const failed = failedRequests(records);
      expect(failed.length, describeFailures(failed)).toBe(0);

      const end = Math.max(...records.map((r) => r.sentAt));
      const periods = weightPeriods(done.traffic.history, {
        holdMs: (w) => bakeMs(w.green),
        end,
        cutoffs: [rollbackAskedAt],
      });
      const split = observedSplit(records, periods, { ttlMs, clusters });
      const afterRollback = split.at(-1);
      expect(afterRollback?.green).toBe(0);
      expect(afterRollback?.requests).toBeGreaterThan(0);
      // Weight 0 is never answered: not one request on an answer asked after the rollback reached green.
      expect(afterRollback?.observedGreen).toBe(0);
      figures.push(
        `rollback at 50% sent=${records.length} failed=${failed.length} ` +
          `after-rollback green=${afterRollback?.observedGreen}% of ${afterRollback?.requests}`,
      );
    } finally {
      if (records.length === 0) await client.stop();
    }
    await untilGreenIsGone();
  });

  it('a full promotion 10 → 50 → 100: no client request fails, and the split follows each verified weight', async () => {
    const ttlMs = probeWorld().ttlSeconds * 1000;
    const client = clientPopulation();
    let records: readonly RequestRecord[] = [];
    try {
      const id = await promote();
      const shifted = await e2e.waitFor(
        id,
        (p) => p.phase !== 'running' || p.stages['shift-traffic'].state === 'succeeded',
        180_000,
      );
      expect(shifted.stages['shift-traffic'].state, shifted.stages['shift-traffic'].message).toBe(
        'succeeded',
      );
      expect(shifted.traffic.history.map((h: Json) => h.green)).toEqual([10, 50, 100]);
      await sleep(ttlMs + 3_000);
      records = await client.stop();
      const failed = failedRequests(records);
      expect(failed.length, describeFailures(failed)).toBe(0);

      const end = Math.max(...records.map((r) => r.sentAt));
      const periods = weightPeriods(shifted.traffic.history, { holdMs: (w) => bakeMs(w.green), end });
      const split = observedSplit(records, periods, { ttlMs, clusters });
      for (const step of split) {
        expect(step.answers, `answers at ${step.green}%`).toBeGreaterThanOrEqual(minAnswers);
        expect(step.deviation, splitLine(step)).toBeLessThanOrEqual(step.tolerance);
      }

      // The product's own evidence: every step probed, nothing failed.
      const detail = (await e2e.api('GET', `/v1/promotions/${id}`)).body;
      const probed = shiftSaved(detail).probed as Json[];
      expect(probed.map((s) => s.green)).toEqual([10, 50, 100]);
      for (const step of probed) {
        expect(step.sent, `probe requests at ${step.green}%`).toBeGreaterThan(0);
        expect(step.findings.failed, `probe failures at ${step.green}%`).toBe(0);
      }
      const status = await e2e.cli(['status', id]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/probe .*10%.* 0 failed/);

      const worst = Math.max(...split.map((s) => s.deviation));
      figures.unshift(
        `promotion sent=${records.length} failed=${failed.length} max-split-deviation=${worst.toFixed(1)}pp ` +
          `(${split.map(splitLine).join(', ')}); product probe sent=${probed.map((s) => s.sent).join('/')} failed=0`,
      );
    } finally {
      if (records.length === 0) await client.stop();
    }
  });
});

function splitLine(step: PeriodSplit): string {
  return (
    `${step.green}%: observed ${step.observedGreen?.toFixed(1)}% ±${step.tolerance.toFixed(1)} ` +
    `over ${step.requests} requests/${step.answers} answers`
  );
}
