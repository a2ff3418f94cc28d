import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { PlatformCatalog } from '../../../src/api/catalog.js';
import { newPromotion, type Promotion } from '../../../src/domain/promotion.js';
import { FleetEngine } from '../../../src/fleet/fleet-engine.js';
import { newFleetRun } from '../../../src/fleet/members.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { testPromotion } from '../../fakes/promotions.js';
import { strategy as fleetStrategy, stage } from './fleet-fixtures.js';

const strategy = fleetStrategy([stage('dev', { maxConcurrency: 2 }), stage('prod')], {
  name: 'two-waves',
  memberStartDeadlineMs: 60_000,
});

const platforms = [
  { name: 'a', labels: { env: 'dev' } },
  { name: 'b', labels: { env: 'dev' } },
  { name: 'c', labels: { env: 'prod' } },
];

/** A memory store, a controller that only stores what it is asked to start, and the engine on them. */
function fixture(options: { refuse?: Set<string> } = {}) {
  let clock = Date.parse('2026-11-27T10:00:00Z');
  const now = () => new Date(clock);
  const store = createMemoryStore({ now });
  const started: string[] = [];
  const rolledBack: string[] = [];
  const catalog: Pick<PlatformCatalog, 'newPromotion'> = {
    async newPromotion({ id, platform, targetVersion, createdBy }) {
      if (options.refuse?.has(platform)) throw new Error(`${platform}: the live cluster cannot be read`);
      return { ...testPromotion(id ?? 'unnamed'), platform, toVersion: targetVersion, createdBy };
    },
  };
  const controller = {
    async startPromotion(input: Parameters<typeof newPromotion>[0]) {
      started.push(input.id);
      return store.create(newPromotion(input, now()), []);
    },
    async rollback(id: string) {
      rolledBack.push(id);
      return (await store.get(id)) as Promotion;
    },
  };
  const engine = new FleetEngine({
    store,
    controller,
    catalog,
    log: pino({ level: 'silent' }),
    now,
    pollMs: 1_000,
  });
  return {
    store,
    engine,
    started,
    rolledBack,
    advance: (ms: number) => {
      clock += ms;
    },
    /** Moves a member's promotion to the decommission gate, as its own passes would. */
    async atGate(id: string) {
      const p = (await store.get(id)) as Promotion;
      await store.update({ ...p, phase: 'waiting-approval', currentStage: 'decommission' }, []);
    },
    async newRun() {
      const run = newFleetRun(strategy, platforms, '1.36', 'run1', 'alice', now());
      return store.fleets.createRun(run, []);
    },
  };
}

describe('FleetEngine', () => {
  it('starts each member once by its run-specific id, stage after stage, and finishes the run', async () => {
    const f = fixture();
    const run = await f.newRun();
    await f.engine.pass(run.id);
    expect(f.started).toEqual(['a-run1', 'b-run1']);
    // A pass repeated (a crash right after the promotions were created) starts nothing again.
    await f.engine.pass(run.id);
    expect(f.started).toEqual(['a-run1', 'b-run1']);

    await f.atGate('a-run1');
    await f.atGate('b-run1');
    for (let i = 0; i < 4; i++) await f.engine.pass(run.id);
    expect(f.started).toEqual(['a-run1', 'b-run1', 'c-run1']);
    await f.atGate('c-run1');
    for (let i = 0; i < 4; i++) await f.engine.pass(run.id);
    const done = await f.store.fleets.getRun(run.id);
    expect(done?.state).toBe('succeeded');
    expect(done?.members.map((m) => [m.platform, m.state])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['c', 'succeeded'],
    ]);
  });

  it('after a crash between storing `starting` and creating the promotion, creates it on the next pass', async () => {
    const f = fixture();
    const created = await f.newRun();
    // What a pass stores before it creates the promotions, as if the process died right after.
    const stored = await f.store.fleets.updateRun(
      {
        ...created,
        members: created.members.map((m) =>
          m.platform === 'a'
            ? {
                ...m,
                state: 'starting',
                promotionId: 'a-run1',
                firstAttemptAt: created.createdAt,
                attempts: 0,
              }
            : m,
        ),
      },
      [],
    );
    await f.engine.pass(stored.id);
    expect(f.started).toContain('a-run1');
    expect(f.started.filter((id) => id === 'a-run1')).toHaveLength(1);
  });

  it('records a refused start on the member and retries it later instead of failing the run', async () => {
    const f = fixture({ refuse: new Set(['b']) });
    const run = await f.newRun();
    await f.engine.pass(run.id);
    const after = await f.store.fleets.getRun(run.id);
    const b = after?.members.find((m) => m.platform === 'b');
    expect(b?.state).toBe('starting');
    expect(b?.attempts).toBe(1);
    expect(b?.lastError).toContain('the live cluster cannot be read');
    expect(after?.state).toBe('running');
  });
});
