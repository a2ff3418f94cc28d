import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/domain/errors.js';
import { pause, stop } from '../../../src/fleet/commands.js';
import { nextStartAttemptAt, recordStartFailure } from '../../../src/fleet/start-retry.js';
import { FleetWorld, later, minute, platforms, runOf, stage, strategy, t0 } from './fleet-fixtures.js';

describe('fleet decisions at the edges', () => {
  it('a stop while a stage waits for approval ends the run at once: nothing is in flight', () => {
    const world = new FleetWorld(
      runOf(
        strategy([stage('dev'), stage('prod', { after: [{ kind: 'approval' }] })]),
        platforms({ dev: 1, prod: 1 }),
      ),
    );
    world.step(t0);
    world.set('dev-1', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(minute));
    expect(world.stageState('prod')).toBe('gated');
    world.run = stop(world.run, 'alice', 'enough', later(2 * minute)).run;
    world.step(later(2 * minute));
    expect(world.run).toMatchObject({ state: 'stopped', finishedAt: later(2 * minute).toISOString() });
    expect(world.member('prod-1').state).toBe('skipped');
  });

  it('a failure past the budget while paused halts the run (evidence is not held by a pause)', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { maxConcurrency: 2 })]), platforms({ dev: 3 })),
    );
    world.step(t0);
    world.run = pause(world.run, 'alice', 'look', later(minute)).run;
    world.set('dev-1', { phase: 'rolled-back' });
    world.step(later(2 * minute));
    expect(world.run.state).toBe('stopping');
    expect(world.member('dev-3').state).toBe('skipped');
  });

  it('a paused run meets a wait gate on time but does not open the stage until resumed', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { after: [{ kind: 'wait', ms: minute }] })]), platforms({ dev: 1 })),
    );
    world.run = pause(world.run, 'alice', 'hold', t0).run;
    world.step(later(2 * minute));
    expect(world.run.stages[0]).toMatchObject({ state: 'gated' });
    expect(world.run.stages[0]?.gates[0]?.metAt).toBe(later(minute).toISOString());
    expect(world.member('dev-1').state).toBe('pending');
  });

  it('a promotion that leaves the decommission gate without a rollback soaks again from its return', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { memberSoakMs: 10 * minute })]), platforms({ dev: 1 })),
    );
    world.step(t0);
    world.set('dev-1', { phase: 'waiting-approval', currentStage: 'decommission' });
    world.step(later(minute));
    world.set('dev-1', { phase: 'paused' });
    world.step(later(5 * minute));
    expect(world.member('dev-1').state).toBe('promoting');
    world.set('dev-1', { phase: 'waiting-approval' });
    world.step(later(6 * minute));
    expect(world.member('dev-1').soakUntil).toBe(later(16 * minute).toISOString());
  });

  it('a promotion that disappeared fails its member', () => {
    const world = new FleetWorld(runOf(strategy([stage('dev', { maxFailures: 1 })]), platforms({ dev: 1 })));
    world.step(t0);
    world.step(later(minute));
    world.promotions.clear();
    world.step(later(2 * minute));
    expect(world.member('dev-1')).toMatchObject({
      state: 'failed',
      message: 'its promotion dev-1-run1 no longer exists',
    });
  });

  it('a stage that selects no platform opens and succeeds at once', () => {
    const world = new FleetWorld(runOf(strategy([stage('qa'), stage('dev')]), platforms({ dev: 1 })));
    const first = world.step(t0);
    expect(world.stageState('qa')).toBe('succeeded');
    expect(first.start.map((m) => m.platform)).toEqual(['dev-1']);
  });

  it('a finished run is left as it is', () => {
    const world = new FleetWorld(runOf(strategy([stage('dev')]), platforms({ dev: 1 })));
    world.step(t0);
    world.set('dev-1', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(minute));
    const finished = world.run;
    expect(finished.state).toBe('succeeded');
    const again = world.step(later(10 * minute));
    expect(again.run).toBe(finished);
    expect(again).toMatchObject({ events: [], start: [], rollback: [] });
    expect(again.requeueAfterMs).toBeUndefined();
  });

  it('start retries back off 10s, 20s, 40s … up to 5m apart, counted from the first attempt', () => {
    const member = {
      platform: 'p',
      stage: 'dev',
      order: 0,
      state: 'starting' as const,
      attempts: 0,
      firstAttemptAt: t0.toISOString(),
    };
    const due = (attempts: number) => (nextStartAttemptAt({ ...member, attempts }) - t0.getTime()) / 1000;
    expect([0, 1, 2, 3].map(due)).toEqual([0, 10, 30, 70]);
    // 10+20+40+80+160 = 310 s, then 300 s each.
    expect(due(6) - due(5)).toBe(300);
    expect(due(9) - due(8)).toBe(300);
  });

  it('a start failure for a member no longer starting changes nothing; an unknown platform is an error', () => {
    const world = new FleetWorld(runOf(strategy([stage('dev')]), platforms({ dev: 2 })));
    world.step(t0);
    expect(recordStartFailure(world.run, 'dev-2', 'late answer', later(minute))).toEqual({
      run: world.run,
      events: [],
    });
    expect(() => recordStartFailure(world.run, 'nope', 'x', later(minute))).toThrow(NotFoundError);
  });
});
