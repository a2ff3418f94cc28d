import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, NotFoundError } from '../../../src/domain/errors.js';
import { abort, approve, pause, resume, stop } from '../../../src/fleet/commands.js';
import { FleetWorld, later, minute, platforms, runOf, stage, strategy, t0 } from './fleet-fixtures.js';

const fleet = platforms({ dev: 3, prod: 1 });
const plan = strategy([
  stage('dev', { maxConcurrency: 2 }),
  stage('prod', { after: [{ kind: 'approval' }] }),
]);

function started(): FleetWorld {
  const world = new FleetWorld(runOf(plan, fleet));
  world.step(t0);
  return world;
}

describe('fleet run commands', () => {
  it('pause holds new members and stages while in-flight promotions go on; resume lets them start', () => {
    const world = started();
    const paused = pause(world.run, 'alice', 'incident 42', later(minute));
    expect(paused.run).toMatchObject({ state: 'paused', reason: 'incident 42' });
    expect(paused.events).toEqual([{ type: 'fleet.paused', actor: 'alice', message: 'paused: incident 42' }]);
    world.run = paused.run;
    world.set('dev-1', { phase: 'succeeded', currentStage: 'decommission' });
    expect(world.step(later(2 * minute)).start).toEqual([]);
    expect(world.member('dev-1').state).toBe('succeeded');
    expect(world.member('dev-3').state).toBe('pending');
    expect(() => pause(world.run, 'alice', 'again', later(3 * minute))).toThrow(
      /already paused.*fleet resume run1/,
    );
    world.run = resume(world.run, 'alice', later(3 * minute)).run;
    expect(world.run.reason).toBeUndefined();
    expect(world.step(later(3 * minute)).start.map((m) => m.platform)).toEqual(['dev-3']);
  });

  it('stop: members never started are skipped, in-flight ones go on, the run ends stopped', () => {
    const world = started();
    world.run = stop(world.run, 'alice', 'wrong version', later(minute)).run;
    world.step(later(minute));
    expect(world.run.state).toBe('stopping');
    expect(world.member('dev-3')).toMatchObject({
      state: 'skipped',
      message: 'not started: the run was stopped',
    });
    expect(world.member('prod-1').state).toBe('skipped');
    expect(world.rollbacksAsked).toEqual([]);
    world.set('dev-1', { phase: 'succeeded', currentStage: 'decommission' });
    world.set('dev-2', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(2 * minute));
    expect(world.run).toMatchObject({ state: 'stopped', reason: 'wrong version' });
    expect(() => resume(world.run, 'alice', later(3 * minute))).toThrow(/already finished \(stopped\)/);
  });

  it('abort: as stop, and every in-flight member is rolled back; the run ends aborted', () => {
    const world = new FleetWorld(
      runOf(strategy([stage('dev', { maxConcurrency: 2, memberSoakMs: 5 * minute }), stage('prod')]), fleet),
    );
    world.step(t0);
    // dev-1 soaks at the decommission gate (blue still there: it can be rolled back), dev-2 promotes.
    world.set('dev-1', { phase: 'waiting-approval', currentStage: 'decommission' });
    world.step(later(minute / 2));
    expect(world.member('dev-1').state).toBe('soaking');
    world.run = abort(world.run, 'alice', 'bad release', later(minute)).run;
    const decision = world.step(later(minute));
    expect(decision.rollback).toEqual([
      { promotionId: 'dev-1-run1', reason: 'fleet run run1: bad release' },
      { promotionId: 'dev-2-run1', reason: 'fleet run run1: bad release' },
    ]);
    world.step(later(2 * minute));
    expect(world.run.state).toBe('aborted');
    expect(world.run.members.map((m) => m.state)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
  });

  it('abort is allowed on a stopping run and refused twice', () => {
    const world = started();
    world.run = stop(world.run, 'alice', 'stop', later(minute)).run;
    expect(() => stop(world.run, 'alice', 'stop', later(minute))).toThrow(
      /already stopping.*fleet abort run1/,
    );
    world.run = abort(world.run, 'bob', 'roll back too', later(minute)).run;
    expect(world.run).toMatchObject({ state: 'stopping', stoppingAs: 'aborted' });
    expect(() => abort(world.run, 'bob', 'again', later(minute))).toThrow(InvalidTransitionError);
  });

  it('approve meets a waiting approval only, and names what to do otherwise', () => {
    const world = started();
    expect(() => approve(world.run, 'prod', 'bob', later(minute))).toThrow(
      /cannot approve fleet run run1: stage prod is not reached yet/,
    );
    expect(() => approve(world.run, 'dev', 'bob', later(minute))).toThrow(/stage dev is already running/);
    expect(() => approve(world.run, 'qa', 'bob', later(minute))).toThrow(NotFoundError);
    for (const platform of ['dev-1', 'dev-2'])
      world.set(platform, { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(minute));
    world.set('dev-3', { phase: 'succeeded', currentStage: 'decommission' });
    world.step(later(2 * minute));
    expect(world.stageState('prod')).toBe('gated');
    const approved = approve(world.run, 'prod', 'bob', later(3 * minute));
    expect(approved.events[0]).toMatchObject({ type: 'fleet.stage.gate-met', actor: 'bob' });
    expect(() => approve(approved.run, 'prod', 'bob', later(3 * minute))).toThrow(/no approval waiting/);
    world.run = approved.run;
    expect(world.step(later(3 * minute)).start.map((m) => m.platform)).toEqual(['prod-1']);
  });
});
