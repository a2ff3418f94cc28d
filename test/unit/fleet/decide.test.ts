import { describe, expect, it } from 'vitest';
import type { FleetRun } from '../../../src/domain/fleet.js';
import { approve } from '../../../src/fleet/commands.js';
import { decide, recordStartFailure } from '../../../src/fleet/decide.js';
import {
  atGate,
  FleetWorld,
  later,
  minute,
  options,
  platforms,
  runOf,
  seen,
  stage,
  strategy,
  t0,
} from './fleet-fixtures.js';

const twoStages = strategy([stage('dev', { maxConcurrency: 2 }), stage('prod', { maxConcurrency: 2 })]);

describe('evidence of this run', () => {
  it('a promotion created before the run started does not count: the member fails', () => {
    const world = new FleetWorld(runOf(twoStages, platforms({ dev: 1, prod: 1 })));
    world.step(t0);
    // The promotion under the member's id predates the run (a stale record): it is not this run's.
    world.promotions.set('dev-1-run1', atGate(later(-minute).toISOString()));
    world.step(later(minute));
    expect(world.member('dev-1').state).toBe('failed');
    expect(world.member('dev-1').message).toMatch(/before this run started: not evidence of this run/);
    expect(world.run.state).toBe('failed');
  });

  it('only the member’s own promotion id is read: another promotion of the platform at green counts for nothing', () => {
    const world = new FleetWorld(runOf(twoStages, platforms({ dev: 1, prod: 1 })));
    world.step(t0);
    world.promotions.delete('dev-1-run1');
    world.promotions.set('dev-1-20261101-abcd', atGate());
    world.step(later(minute));
    expect(world.member('dev-1').state).toBe('starting');
    expect(world.decisions.at(-1)?.decision.start.map((m) => m.platform)).toEqual(['dev-1']);
  });

  it('a promotion that reached green and then rolled back during the soak fails the member', () => {
    const run = runOf(
      strategy([stage('dev', { memberSoakMs: 10 * minute, maxFailures: 1 }), stage('prod')]),
      platforms({ dev: 2, prod: 1 }),
    );
    const world = new FleetWorld(run);
    world.step(t0);
    world.set('dev-1', { phase: 'waiting-approval', currentStage: 'decommission' });
    world.step(later(minute));
    expect(world.member('dev-1')).toMatchObject({
      state: 'soaking',
      soakUntil: later(11 * minute).toISOString(),
    });
    expect(world.decisions.at(-1)?.decision.requeueAfterMs).toBe(options.pollMs);
    world.set('dev-1', { phase: 'rolling-back' });
    world.step(later(5 * minute));
    expect(world.member('dev-1')).toMatchObject({ state: 'failed' });
    expect(world.member('dev-1').message).toMatch(/rolling-back during the soak/);
    // Within its budget of 1: the stage goes on with the next member.
    expect(world.member('dev-2').state).toBe('starting');
  });

  it('soaks from when it was first seen at green, and not a moment less', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { memberSoakMs: 10 * minute })]), platforms({ dev: 1 })),
    );
    world.step(t0);
    world.set('dev-1', { phase: 'waiting-approval', currentStage: 'decommission' });
    world.step(later(2 * minute));
    world.step(later(12 * minute - 1));
    expect(world.member('dev-1').state).toBe('soaking');
    expect(world.decisions.at(-1)?.decision.requeueAfterMs).toBe(1);
    world.step(later(12 * minute));
    expect(world.member('dev-1')).toMatchObject({
      state: 'succeeded',
      finishedAt: later(12 * minute).toISOString(),
    });
    expect(world.run.state).toBe('succeeded');
  });
});

describe('failure budget', () => {
  const fleet = platforms({ dev: 4, prod: 2 });
  const failFirstTwo = (world: FleetWorld) => {
    world.step(t0);
    world.set('dev-1', { phase: 'rolled-back' });
    world.step(later(minute));
    world.set('dev-2', { phase: 'abandoned' });
    world.set('dev-3', { phase: 'waiting-approval', currentStage: 'decommission' });
    return world.step(later(2 * minute));
  };

  it('halt: past the budget no member starts anywhere, in-flight ones finish, the run ends failed', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { maxConcurrency: 2, maxFailures: 1 }), stage('prod')]), fleet),
    );
    failFirstTwo(world);
    expect(world.stageState('dev')).toBe('failed');
    expect(world.run.stoppingAs).toBeUndefined();
    expect(world.run.reason).toMatch(
      /stage dev failed: 2 failed, over its budget of 1.*halted \(onFailure halt\)/,
    );
    expect(world.member('dev-4').state).toBe('skipped');
    expect(world.member('prod-1').state).toBe('skipped');
    expect(world.member('dev-3').state).toBe('succeeded'); // in flight: went on to the end (soak 0)
    expect(world.run.state).toBe('failed');
    expect(world.rollbacksAsked).toEqual([]);
  });

  it('halt: while an in-flight member still promotes the run is stopping, then fails when it ends', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { maxConcurrency: 2 }), stage('prod')]), platforms({ dev: 3, prod: 1 })),
    );
    world.step(t0);
    world.set('dev-1', { phase: 'rolled-back' });
    world.step(later(minute));
    expect(world.run.state).toBe('stopping');
    expect(world.member('dev-2').state).toBe('promoting');
    expect(world.member('dev-3').state).toBe('skipped');
    world.set('dev-2', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(2 * minute));
    expect(world.run).toMatchObject({ state: 'failed', finishedAt: later(2 * minute).toISOString() });
  });

  it('rollback-in-flight: as halt, and every member still promoting is rolled back', () => {
    const world = new FleetWorld(
      runOf(
        strategy([
          stage('dev', { maxConcurrency: 3, onFailure: 'rollback-in-flight', memberSoakMs: minute }),
          stage('prod'),
        ]),
        fleet,
      ),
    );
    world.step(t0);
    world.set('dev-2', { phase: 'waiting-approval', currentStage: 'decommission' });
    world.set('dev-1', { phase: 'rolled-back' });
    const decision = world.step(later(minute));
    expect(decision.rollback.map((r) => r.promotionId).sort()).toEqual(['dev-2-run1', 'dev-3-run1']);
    expect(decision.rollback[0]?.reason).toMatch(/fleet run run1: stage dev failed/);
    expect(decision.events.filter((e) => e.type === 'fleet.member.rollback-requested')).toHaveLength(2);
    // The world saw the rollbacks start: the members fail, nothing is in flight, the run ends failed.
    world.step(later(2 * minute));
    expect(world.run.state).toBe('failed');
    expect(world.member('dev-3').state).toBe('failed');
    expect(world.member('dev-4').state).toBe('skipped');
  });

  it('rollback-in-flight: asked again after a crash until the promotion shows it, announced once', () => {
    const run = runOf(
      strategy([stage('dev', { maxConcurrency: 2, onFailure: 'rollback-in-flight' })]),
      platforms({ dev: 2 }),
    );
    const world = new FleetWorld(run);
    world.step(t0);
    world.set('dev-1', { phase: 'rolled-back' });
    const observed = new Map(world.promotions);
    const first = decide(world.run, observed, later(minute), options);
    expect(first.rollback.map((r) => r.promotionId)).toEqual(['dev-2-run1']);
    // Stored, then the controller died before asking for the rollback: the next pass asks again.
    const again = decide({ ...first.run, version: 9 }, observed, later(2 * minute), options);
    expect(again.rollback.map((r) => r.promotionId)).toEqual(['dev-2-run1']);
    expect(again.events).toEqual([]);
    observed.set('dev-2-run1', seen('rolling-back'));
    const done = decide(again.run, observed, later(3 * minute), options);
    expect(done.rollback).toEqual([]);
    expect(done.run.state).toBe('failed');
  });

  it('continue: the stage fails, its members not started are skipped, the next stage opens, the run ends failed', () => {
    const world = new FleetWorld(
      runOf(
        strategy([stage('dev', { maxConcurrency: 2, maxFailures: 1, onFailure: 'continue' }), stage('prod')]),
        fleet,
      ),
    );
    failFirstTwo(world);
    expect(world.stageState('dev')).toBe('failed');
    expect(world.member('dev-4').state).toBe('skipped');
    expect(world.stageState('prod')).toBe('running');
    expect(world.member('prod-1').state).toBe('starting');
    world.set('prod-1', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(3 * minute));
    world.set('prod-2', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(4 * minute));
    expect(world.run).toMatchObject({ state: 'failed', reason: 'stages failed: dev' });
    expect(world.stageState('prod')).toBe('succeeded');
  });

  it('a share budget is counted on the stage’s members: 50% of 4 allows 2 failures', () => {
    const run = runOf(
      strategy([stage('dev', { maxFailures: '50%', maxConcurrency: 4 })]),
      platforms({ dev: 4 }),
    );
    expect(run.stages[0]).toMatchObject({ failureBudget: 2, concurrency: 4 });
    const world = new FleetWorld(run);
    failFirstTwo(world);
    expect(world.stageState('dev')).toBe('running');
  });
});

describe('starting members', () => {
  it('a start that fails is retried with backoff and, past memberStartDeadline, fails against the budget', () => {
    const world = new FleetWorld(runOf(strategy([stage('dev')]), platforms({ dev: 2 })));
    world.step(t0);
    world.promotions.delete('dev-1-run1');
    world.run = recordStartFailure(world.run, 'dev-1', 'platform unreachable', later(1000)).run;
    expect(world.member('dev-1')).toMatchObject({
      state: 'starting',
      attempts: 1,
      lastError: 'platform unreachable',
    });
    // The first retry is due 10 s after the first attempt: not before.
    expect(world.step(later(9_000)).start).toEqual([]);
    expect(world.decisions.at(-1)?.decision.requeueAfterMs).toBe(1_000);
    world.promotions.delete('dev-1-run1');
    expect(world.step(later(10_000)).start.map((m) => m.platform)).toEqual(['dev-1']);
    world.promotions.delete('dev-1-run1');
    const { run, events } = recordStartFailure(world.run, 'dev-1', 'still unreachable', later(30 * minute));
    expect(run.members[0]).toMatchObject({ state: 'failed', attempts: 2 });
    expect(run.members[0]?.message).toMatch(/within memberStartDeadline \(30m\): still unreachable/);
    expect(events.map((e) => e.type)).toEqual(['fleet.member.start-failed', 'fleet.member.finished']);
    world.run = run;
    world.step(later(30 * minute));
    expect(world.run.state).toBe('failed');
    expect(world.member('dev-2').state).toBe('skipped');
  });

  it('after a crash: a starting member whose promotion exists is promoting; a missing one is started again, same id', () => {
    const run = runOf(strategy([stage('dev', { maxConcurrency: 2 })]), platforms({ dev: 3 }));
    const first = decide(run, new Map(), t0, options);
    expect(first.start.map((m) => m.promotionId)).toEqual(['dev-1-run1', 'dev-2-run1']);
    // The record was stored, one promotion was created, then kill -9.
    const stored: FleetRun = { ...first.run, version: 2 };
    const observed = new Map([['dev-1-run1', seen('running', 'provision', t0.toISOString())]]);
    const replay = decide(stored, observed, later(minute), options);
    expect(replay.start.map((m) => m.promotionId)).toEqual(['dev-2-run1']);
    expect(replay.run.members.map((m) => m.state)).toEqual(['promoting', 'starting', 'pending']);
    expect(replay.events.map((e) => e.type)).toEqual(['fleet.member.started']);
  });
});

describe('gates', () => {
  const gated = strategy([
    stage('dev'),
    stage('prod', { after: [{ kind: 'approval' }, { kind: 'wait', ms: 10 * minute }] }),
  ]);

  it('a stage opens only after the approval and a wait counted from the previous stage’s end', () => {
    const world = new FleetWorld(runOf(gated, platforms({ dev: 1, prod: 1 })));
    world.step(t0);
    world.set('dev-1', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(2 * minute)); // dev ends here
    expect(world.stageState('prod')).toBe('gated');
    expect(world.run.stages[1]?.message).toBe(
      'waiting for approval: switchyard fleet approve run1 --stage prod',
    );
    expect(world.decisions.at(-1)?.decision.requeueAfterMs).toBe(10 * minute);
    world.run = approve(world.run, 'prod', 'bob', later(3 * minute)).run;
    world.step(later(3 * minute));
    expect(world.stageState('prod')).toBe('gated');
    expect(world.run.stages[1]?.message).toBe(`waiting until ${later(12 * minute).toISOString()}`);
    world.step(later(12 * minute - 1));
    expect(world.member('prod-1').state).toBe('pending');
    world.step(later(12 * minute));
    expect(world.stageState('prod')).toBe('running');
    expect(world.run.stages[1]?.gates).toEqual([
      { gate: { kind: 'approval' }, metAt: later(3 * minute).toISOString(), by: 'bob' },
      { gate: { kind: 'wait', ms: 10 * minute }, metAt: later(12 * minute).toISOString() },
    ]);
    expect(world.member('prod-1').state).toBe('starting');
  });

  it('a first stage’s wait counts from the run’s start', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { after: [{ kind: 'wait', ms: 5 * minute }] })]), platforms({ dev: 1 })),
    );
    expect(world.step(later(4 * minute)).start).toEqual([]);
    expect(world.step(later(5 * minute)).start.map((m) => m.platform)).toEqual(['dev-1']);
  });
});

describe('windows', () => {
  // t0 is a Wednesday at 10:00 UTC.
  const denyMorning = strategy([stage('dev', { maxConcurrency: 2, onFailure: 'rollback-in-flight' })], {
    windows: [{ kind: 'deny', days: ['wed'], startMinute: 9 * 60, endMinute: 11 * 60 }],
  });

  it('a deny window holds the start of members, said once, until the window ends', () => {
    const world = new FleetWorld(runOf(denyMorning, platforms({ dev: 2 })));
    const first = world.step(t0);
    expect(first.start).toEqual([]);
    expect(first.requeueAfterMs).toBe(60 * minute);
    expect(first.events.map((e) => e.type)).toContain('fleet.window.holding');
    expect(world.step(later(minute)).events).toEqual([]);
    const open = world.step(later(60 * minute));
    expect(open.start.map((m) => m.platform)).toEqual(['dev-1', 'dev-2']);
    expect(world.run.stages[0]?.message).toBeUndefined();
  });

  it('a rollback inside a deny window proceeds', () => {
    const eight = later(-2 * 60 * minute);
    const world = new FleetWorld(runOf(denyMorning, platforms({ dev: 2 }), eight));
    expect(world.step(eight).start).toHaveLength(2);
    // Now inside the deny window (10:00): a failure asks for the rollback of the other member at once.
    world.set('dev-1', { phase: 'rolled-back' });
    const decision = world.step(t0);
    expect(decision.rollback.map((r) => r.promotionId)).toEqual(['dev-2-run1']);
  });

  it('an allow window admits forward steps only inside it', () => {
    const allowNight = strategy([stage('dev')], {
      windows: [{ kind: 'allow', startMinute: 22 * 60, endMinute: 24 * 60 }],
    });
    const world = new FleetWorld(runOf(allowNight, platforms({ dev: 1 })));
    expect(world.step(t0).requeueAfterMs).toBe(12 * 60 * minute);
    expect(world.step(later(12 * 60 * minute)).start.map((m) => m.platform)).toEqual(['dev-1']);
  });
});
