/**
 * A fleet upgraded in waves: ten Route 53 platforms (each its own weighted record and EKS clusters in
 * moto) labelled dev / prod-canary / prod, and fleet runs driven through the REST API:
 * - a failing member in prod-canary halts the run with the reason and starts no prod member;
 * - dev (100 %) → prod-canary (1) → prod (50 %) completes in order with the controller killed (SIGKILL)
 *   mid-run: concurrency never exceeded and soaks honoured (from the stored run), every member promoted
 *   exactly once, none skipped;
 * - inside a deny window no member starts, but a person's rollback of a member and an abort's rollback
 *   of the one still in flight proceed.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startController } from '../env/controller-process.js';
import type { ServerProcess } from '../env/server-process.js';
import { projectRoot } from '../env/tools.js';
import { createFleetWorld, type FleetWorld } from '../env/world-fleet.js';
import { describeWithServers, testEnvironment } from '../integration/environment.js';
import { waitFor } from '../integration/support/wait-for.js';
import { callApi, type Json } from './support.js';

const dev = [0, 1, 2];
const canary = 3;
const prod = [4, 5, 6, 7, 8];
const broken = 9;
const name = (index: number) => `fleet-${String(index).padStart(3, '0')}`;

function labelsOf(index: number): Record<string, string> {
  if (dev.includes(index)) return { env: 'dev' };
  if (index === canary) return { env: 'prod', canary: 'true' };
  if (index === broken) return { env: 'prod', canary: 'broken' };
  return { env: 'prod', canary: 'false' };
}

const stage = (stageName: string, selector: object, more: object = {}) => ({
  name: stageName,
  selector,
  maxConcurrency: 1,
  maxFailures: 0,
  memberSoak: '2s',
  onFailure: 'halt',
  ...more,
});

/** The deny window of the last test: from the next whole minute at least 25 s away to midnight UTC. */
function denyWindowStart(now = new Date()): { at: Date; hhmm: string } {
  const at = new Date(Math.ceil((now.getTime() + 25_000) / 60_000) * 60_000);
  const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
  return { at, hhmm };
}

describeWithServers('fleet upgrades in waves', () => {
  let world: FleetWorld;
  let controller: ServerProcess;

  beforeAll(async () => {
    const env = testEnvironment();
    const dir = mkdtempSync(join(projectRoot, '.cache/env-runs/e2e-fleet-'));
    world = await createFleetWorld(env, dir, {
      count: 10,
      pollInterval: '300ms',
      platform: {
        steps: [
          { green: 50, bake: '1s' },
          { green: 100, bake: '1s' },
        ],
      },
      labels: labelsOf,
      // The broken canary's smoke check asks a port nobody listens on: its qualification fails and
      // the promotion rolls itself back.
      override: (index, platform) =>
        index === broken ? withSmokeUrl(platform, 'http://127.0.0.1:9/health') : platform,
      strategies: {
        'canary-halt.yaml': {
          name: 'canary-halt',
          stages: [
            stage('prod-canary', { env: 'prod', canary: 'broken' }),
            stage('prod', { env: 'prod', canary: 'false' }, { maxConcurrency: '50%' }),
          ],
        },
        'waves.yaml': {
          name: 'waves',
          stages: [
            stage('dev', { env: 'dev' }, { maxConcurrency: '100%' }),
            stage('prod-canary', { env: 'prod', canary: 'true' }, { memberSoak: '4s' }),
            stage('prod', { env: 'prod', canary: 'false' }, { maxConcurrency: '50%' }),
          ],
        },
      },
    });
    controller = await startController(world);
  }, 180_000);

  afterAll(async () => {
    await controller?.stop();
    await world?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    callApi(world.url, world.tokens.operator, method, path, body);

  async function run(id: string, until: (r: Json) => boolean, what: string, timeoutMs = 240_000) {
    return waitFor(
      async () => {
        const { status, body } = await api('GET', `/v1/fleet-runs/${id}`);
        return status === 200 && until(body) ? body : undefined;
      },
      `fleet run ${id}: ${what}`,
      timeoutMs,
    );
  }

  async function startRun(strategy: string | object): Promise<{ id: string; startedAt: number }> {
    const startedAt = Date.now();
    const created = await api('POST', '/v1/fleet-runs', { strategy, targetVersion: '1.36' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, startedAt };
  }

  /** The platform's promotions created at or after `since`. */
  async function promotionsSince(platform: string, since: number): Promise<Json[]> {
    const { body } = await api('GET', `/v1/promotions?platform=${platform}&limit=50`);
    return (body.items as Json[]).filter((p) => Date.parse(p.createdAt) >= since - 1_000);
  }

  /** Rolls every given platform's active promotion back and waits until its green cluster is gone. */
  async function handBack(platforms: readonly string[]): Promise<void> {
    for (const platform of platforms) {
      const [latest] = (await api('GET', `/v1/promotions?platform=${platform}&limit=1`)).body.items as Json[];
      if (latest && !['rolled-back', 'succeeded', 'abandoned'].includes(latest.phase)) {
        await api('POST', `/v1/promotions/${latest.id}/rollback`, { reason: 'next fleet test' });
      }
    }
    for (const platform of platforms) {
      await waitFor(
        async () => {
          const [latest] = (await api('GET', `/v1/promotions?platform=${platform}&limit=1`)).body
            .items as Json[];
          return !latest || latest.phase === 'rolled-back' || latest.phase === 'abandoned';
        },
        `${platform} rolled back`,
        120_000,
      );
    }
  }

  it('a failing member in prod-canary halts the run with the reason and starts no prod member', async () => {
    const { id, startedAt } = await startRun('canary-halt');
    const halted = await run(id, (r) => ['failed', 'succeeded'].includes(r.state), 'finished');
    expect(halted.state).toBe('failed');
    expect(halted.reason).toContain('prod-canary');
    const members = new Map((halted.members as Json[]).map((m) => [m.platform, m]));
    expect(members.get(name(broken))?.state).toBe('failed');
    for (const index of prod) {
      expect(members.get(name(index))?.state, name(index)).toBe('skipped');
      expect(await promotionsSince(name(index), startedAt), name(index)).toEqual([]);
    }
    await handBack([name(broken)]);
  });

  it('dev → prod-canary → prod completes in order through a kill -9, each member promoted once', async () => {
    const { id, startedAt } = await startRun('waves');
    // Kill the controller once the run is past dev, with prod-canary in flight.
    await run(id, (r) => r.stages.find((s: Json) => s.name === 'prod-canary')?.state === 'running', 'canary');
    globalThis.process.kill(controller.pid, 'SIGKILL');
    await controller.exited;
    controller = await startController(world, `controller-${Date.now()}`);

    const done = await run(id, (r) => ['failed', 'succeeded'].includes(r.state), 'finished', 360_000);
    expect(done.state, JSON.stringify(done.stages)).toBe('succeeded');
    const members = done.members as Json[];
    expect(members.map((m) => m.state)).toEqual(members.map(() => 'succeeded'));

    // Order: a stage's first member started after the previous stage finished.
    const stages = done.stages as Json[];
    for (let i = 1; i < stages.length; i++) {
      const first = Math.min(
        ...members.filter((m) => m.stage === stages[i]?.name).map((m) => Date.parse(m.startedAt)),
      );
      expect(first, stages[i]?.name).toBeGreaterThanOrEqual(Date.parse(stages[i - 1]?.finishedAt));
    }
    // Concurrency, from the stored timeline: never more members in flight than the stage allows.
    for (const s of stages) {
      const spans = members
        .filter((m) => m.stage === s.name)
        .map((m) => [Date.parse(m.startedAt), Date.parse(m.finishedAt)] as const);
      const most = Math.max(...spans.map(([at]) => spans.filter(([a, b]) => a <= at && at < b).length));
      expect(most, s.name).toBeLessThanOrEqual(s.concurrency);
    }
    expect(stages.map((s) => s.concurrency)).toEqual([3, 1, 3]);
    // Soak: counted only after it ended.
    for (const m of members)
      expect(Date.parse(m.finishedAt), m.platform).toBeGreaterThanOrEqual(Date.parse(m.soakUntil));

    // Each member promoted exactly once, by this run's own promotion, now at the decommission gate.
    for (const m of members) {
      const promotions = await promotionsSince(m.platform, startedAt);
      expect(
        promotions.map((p) => p.id),
        m.platform,
      ).toEqual([m.promotionId]);
      expect(promotions[0]?.phase).toBe('waiting-approval');
    }
    await handBack(members.map((m) => m.platform));
  });

  it('inside a deny window no member starts, but rollbacks proceed: a person’s and an abort’s', async () => {
    // Given inline: the window starts at the next whole minute at least 45 s away, time enough for
    // two dev members (concurrency 2) to reach the decommission gate and soak (30 min: in flight).
    const window = denyWindowStart(new Date(Date.now() + 20_000));
    const { id } = await startRun({
      name: 'windowed',
      stages: [stage('dev', { env: 'dev' }, { maxConcurrency: 2, maxFailures: 1, memberSoak: '30m' })],
      windows: [{ deny: { start: window.hhmm, end: '24:00' } }],
    });
    const soaking = (r: Json) => (r.members as Json[]).filter((m) => m.state === 'soaking');
    const before = await run(id, (r) => soaking(r).length === 2, 'two dev members soaking');
    expect(Date.now(), 'both reached the gate before the window').toBeLessThan(window.at.getTime());
    await waitFor(async () => Date.now() >= window.at.getTime() + 1_000, 'the deny window', 120_000);

    // A person rolls one member back inside the window: it proceeds, and frees a place in the stage.
    const [first, second] = soaking(before);
    const rolled = await api('POST', `/v1/promotions/${second?.promotionId}/rollback`, {
      reason: 'in window',
    });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    await run(
      id,
      (r) => r.members.some((m: Json) => m.platform === second?.platform && m.state === 'failed'),
      'failed',
    );
    // The third dev member could start now, but the window holds it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const held = (await api('GET', `/v1/fleet-runs/${id}`)).body;
    const third = (held.members as Json[]).find((m) => m.state === 'pending');
    expect(third?.promotionId, JSON.stringify(held.members)).toBeUndefined();

    // An abort inside the window rolls the member still in flight back.
    const aborted = await api('POST', `/v1/fleet-runs/${id}/abort`, { reason: 'window test' });
    expect(aborted.status, JSON.stringify(aborted.body)).toBe(200);
    const done = await run(id, (r) => r.state === 'aborted', 'aborted', 120_000);
    // The run ends once the member has turned back; its promotion finishes rolling back after the drain.
    await waitFor(
      async () => (await api('GET', `/v1/promotions/${first?.promotionId}`)).body.phase === 'rolled-back',
      `${first?.promotionId} rolled back`,
      60_000,
    );
    expect((done.members as Json[]).find((m) => m.platform === third?.platform)?.state).toBe('skipped');
  });
});

function withSmokeUrl(platform: Record<string, unknown>, url: string): Record<string, unknown> {
  const services = platform.services as { smoke: Record<string, unknown>[] };
  return {
    ...platform,
    services: { ...services, smoke: services.smoke.map((check) => ({ ...check, url })) },
  };
}
