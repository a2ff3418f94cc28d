import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/fleet/decide.js';
import { inFlightMemberStates } from '../../../src/fleet/member-evidence.js';
import {
  atGate,
  FleetWorld,
  later,
  minute,
  options,
  platforms,
  runOf,
  stage,
  strategy,
} from './fleet-fixtures.js';

/** dev 100 %, prod-canary 1, prod 50 %, with a soak: the shape. */
const waves = strategy([
  stage('dev', { maxConcurrency: '100%', memberSoakMs: 5 * minute }),
  stage('prod-canary', { memberSoakMs: 5 * minute }),
  stage('prod', { maxConcurrency: '50%', memberSoakMs: 5 * minute }),
]);
const fleet = platforms({ dev: 3, 'prod-canary': 1, prod: 5 });

/**
 * Runs the world minute by minute: each promotion reaches the decommission gate some minutes after it
 * was created (different per platform), and the checks hold after every decision.
 */
function simulate(world: FleetWorld, takes: (platform: string) => number, check: () => void): void {
  const reachedGateAt = new Map<string, number>();
  for (let minutes = 0; minutes < 600 && world.run.finishedAt === undefined; minutes++) {
    const now = later(minutes * minute);
    for (const member of world.run.members) {
      const id = member.promotionId;
      const promotion = id === undefined ? undefined : world.promotions.get(id);
      if (promotion?.phase !== 'running') continue;
      if (now.getTime() - Date.parse(promotion.createdAt) >= takes(member.platform) * minute) {
        world.set(member.platform, atGate(promotion.createdAt));
        reachedGateAt.set(member.platform, now.getTime());
      }
    }
    world.step(now);
    check();
  }
  for (const member of world.run.members.filter((m) => m.state === 'succeeded')) {
    // The soak is honoured: success no sooner than the soak after the gate was reached.
    const reached = reachedGateAt.get(member.platform) as number;
    expect(Date.parse(member.finishedAt as string) - reached).toBeGreaterThanOrEqual(5 * minute);
  }
}

describe('a fleet run over a simulated timeline', () => {
  it('completes stage by stage, never over a stage’s concurrency, each member after its soak', () => {
    const world = new FleetWorld(runOf(waves, fleet));
    const peak = new Map<string, number>();
    const takes = (platform: string) => 3 + ((platform.length * 7 + Number(platform.slice(-1))) % 9);
    simulate(world, takes, () => {
      world.run.stages.forEach((stage, index) => {
        const inFlight = world.run.members.filter(
          (m) => m.stage === stage.name && inFlightMemberStates.has(m.state),
        ).length;
        expect(inFlight).toBeLessThanOrEqual(stage.concurrency);
        peak.set(stage.name, Math.max(peak.get(stage.name) ?? 0, inFlight));
        // No member of a stage starts before the previous stage finished.
        const previous = world.run.stages[index - 1];
        if (previous && previous.state !== 'succeeded') {
          expect(world.run.members.filter((m) => m.stage === stage.name && m.state !== 'pending')).toEqual(
            [],
          );
        }
      });
    });
    expect(world.run.state).toBe('succeeded');
    expect(world.run.members.every((m) => m.state === 'succeeded')).toBe(true);
    expect(Object.fromEntries(world.run.stages.map((s) => [s.name, s.concurrency]))).toEqual({
      dev: 3,
      'prod-canary': 1,
      prod: 3,
    });
    // The concurrency was used, not just respected: each stage reached it.
    expect(Object.fromEntries(peak)).toEqual({ dev: 3, 'prod-canary': 1, prod: 3 });
    // Each member started once: one starting event per platform.
    const starting = world.events().filter((e) => e.type === 'fleet.member.starting');
    expect(starting.map((e) => e.data?.platform).sort()).toEqual(fleet.map((p) => p.name).sort());
    expect(world.events().at(-1)?.type).toBe('fleet.finished');
  });

  it('a failing canary halts the run with the reason and starts no prod member', () => {
    const world = new FleetWorld(runOf(waves, fleet));
    simulate(
      world,
      () => 4,
      () => {
        const canary = world.run.members.find((m) => m.platform === 'prod-canary-1');
        if (canary?.state === 'promoting') world.set('prod-canary-1', { phase: 'rolled-back' });
      },
    );
    expect(world.run.state).toBe('failed');
    expect(world.run.reason).toMatch(
      /stage prod-canary failed: 1 failed, over its budget of 0: prod-canary-1/,
    );
    expect(world.run.members.filter((m) => m.stage === 'prod').map((m) => m.state)).toEqual(
      Array(5).fill('skipped'),
    );
    expect(world.stageState('prod-canary')).toBe('failed');
    expect(world.stageState('prod')).toBe('pending');
    expect(world.rollbacksAsked).toEqual([]);
  });
});

/** Waves with a wait gate, a deny window during the run, and a canary that fails with onFailure continue. */
const eventful = strategy(
  [
    stage('dev', { maxConcurrency: '100%', memberSoakMs: 5 * minute }),
    stage('prod-canary', { onFailure: 'continue', after: [{ kind: 'wait', ms: 20 * minute }] }),
    stage('prod', { maxConcurrency: '50%', maxFailures: 1, memberSoakMs: 5 * minute }),
  ],
  { windows: [{ kind: 'deny', days: ['wed'], startMinute: 10 * 60 + 30, endMinute: 11 * 60 }] },
);

describe('idempotence', () => {
  it.each([
    ['plain waves', waves],
    ['gates, a window and a failing canary', eventful],
  ])(
    '%s: deciding again on the same inputs gives the same record and no events, at every step',
    (_, plan) => {
      const world = new FleetWorld(runOf(plan, fleet));
      let checked = 0;
      simulate(
        world,
        () => 2,
        () => {
          const last = world.decisions.at(-1);
          if (!last) return;
          // world.run is the stored record of the last decision (its version bumped as the store would).
          const stored = world.run;
          const repeat = decide(stored, last.seen, last.at, options);
          expect(repeat.run).toBe(stored);
          expect(repeat.events).toEqual([]);
          // Only the starts whose promotions did not exist yet are asked again (the create is idempotent).
          expect(repeat.start).toEqual(
            last.decision.start
              .filter((m) => !last.seen.has(m.promotionId as string))
              .map((m) => stored.members.find((s) => s.platform === m.platform)),
          );
          checked++;
          const canary = world.run.members.find((m) => m.platform === 'prod-canary-1');
          if (plan === eventful && canary?.state === 'promoting')
            world.set('prod-canary-1', { phase: 'rolled-back' });
        },
      );
      expect(checked).toBeGreaterThan(20);
      expect(world.run.state).toBe(plan === eventful ? 'failed' : 'succeeded');
      if (plan === eventful) {
        // The scenario did go through each: a window hold, a gate met, the canary failing, prod after it.
        const types = world.events().map((e) => e.type);
        expect(types).toEqual(expect.arrayContaining(['fleet.window.holding', 'fleet.stage.gate-met']));
        expect(world.run.stages.map((s) => s.state)).toEqual(['succeeded', 'failed', 'succeeded']);
      }
    },
  );
});

describe('kill -9 at every point of a run', () => {
  it('a controller that dies after storing a decision, before some of its acts, neither starts a member twice nor skips one', () => {
    const plan = strategy([
      stage('dev', { maxConcurrency: '100%', memberSoakMs: minute }),
      stage('prod-canary', { onFailure: 'rollback-in-flight' }),
      stage('prod', { maxConcurrency: '50%', memberSoakMs: minute }),
    ]);
    // Every pass dies, in turn, before its 1st, 2nd, or 3rd act, or not at all.
    let pass = 0;
    const world = new FleetWorld(runOf(plan, fleet));
    for (let minutes = 0; minutes < 600 && world.run.finishedAt === undefined; minutes++) {
      const now = later(minutes * minute);
      for (const member of world.run.members) {
        const promotion =
          member.promotionId === undefined ? undefined : world.promotions.get(member.promotionId);
        if (promotion?.phase === 'running' && now.getTime() - Date.parse(promotion.createdAt) >= 3 * minute) {
          world.set(member.platform, atGate(promotion.createdAt));
        }
      }
      const acts = pass++ % 4;
      world.step(now, acts === 3 ? undefined : { acts });
    }
    expect(world.run.state).toBe('succeeded');
    expect(world.run.members.every((m) => m.state === 'succeeded')).toBe(true);
    // No decision asked to start a promotion it had seen; each member was created and announced once.
    expect(world.startsOfSeen).toEqual([]);
    expect([...world.created.values()]).toEqual(Array(fleet.length).fill(1));
    // Some passes did die before creating what they had decided: the replay is what started those.
    const asked = world.decisions.reduce((sum, { decision }) => sum + decision.start.length, 0);
    expect(asked).toBeGreaterThan(world.created.size);
    const starting = world.events().filter((e) => e.type === 'fleet.member.starting');
    expect(starting).toHaveLength(fleet.length);
  });
});
