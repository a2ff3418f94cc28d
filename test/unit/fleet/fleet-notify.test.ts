import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { FleetRun, NewFleetEvent } from '../../../src/domain/fleet.js';
import type { Notification, Notifier } from '../../../src/domain/ports.js';
import { decide } from '../../../src/fleet/decide.js';
import { fleetNotifications, notifyFleetEvents } from '../../../src/fleet/fleet-notify.js';
import { atGate, options, platforms, runOf, seen, stage, strategy, t0 } from './fleet-fixtures.js';

/** dev-1, dev-2 in stage dev; prod-1, prod-2 in stage prod. */
function twoStageRun(): FleetRun {
  return runOf(
    strategy([stage('dev', { maxConcurrency: 2 }), stage('prod', { maxConcurrency: 2 })]),
    platforms({ dev: 2, prod: 2 }),
  );
}

const told = (run: FleetRun, events: readonly NewFleetEvent[]) =>
  fleetNotifications(run, events).map(({ platform, notification }) => [notification.type, platform]);

describe('fleetNotifications', () => {
  it('tells a stage’s start to the platforms of that stage only, with ids of run, version and index', () => {
    const decision = decide(twoStageRun(), new Map(), t0, options);
    const stored = { ...decision.run, version: 2 };
    const addressed = fleetNotifications(stored, decision.events);
    expect(addressed.map(({ platform, notification }) => [notification.type, platform])).toEqual([
      ['fleet.stage.started', 'dev-1'],
      ['fleet.stage.started', 'dev-2'],
    ]);
    const index = decision.events.findIndex((event) => event.type === 'fleet.stage.started');
    expect(addressed[0]?.notification).toMatchObject({
      kind: 'fleet',
      runId: 'run1',
      eventId: `run1-2.${index}`,
      stage: { name: 'dev', state: 'running' },
      strategy: 'test',
      targetVersion: '1.35',
      runState: 'running',
    });
    // The same batch stored again (a redelivery) makes the same ids.
    expect(fleetNotifications(stored, decision.events)).toEqual(addressed);
  });

  it('tells a failed member to its own platform, and the stage it cost to the whole stage', () => {
    const started = decide(twoStageRun(), new Map(), t0, options).run;
    const failing = decide(
      started,
      new Map([
        ['dev-1-run1', seen('rolled-back')],
        ['dev-2-run1', seen('running')],
      ]),
      t0,
      options,
    );
    expect(told(failing.run, failing.events)).toEqual([
      ['fleet.member.failed', 'dev-1'],
      ['fleet.stage.finished', 'dev-1'],
      ['fleet.stage.finished', 'dev-2'],
    ]);
    const [member, stageFailed] = fleetNotifications(failing.run, failing.events);
    expect(member?.notification).toMatchObject({
      member: { platform: 'dev-1', state: 'failed', promotionId: 'dev-1-run1' },
      stage: { name: 'dev', state: 'failed' },
    });
    expect(stageFailed?.notification).toMatchObject({
      stage: { name: 'dev', state: 'failed' },
      runState: 'stopping',
      reason: expect.stringContaining('halted (onFailure halt)'),
    });
    expect(stageFailed?.notification.message).toContain('dev-1 (promotion dev-1-run1 is rolled-back)');
  });

  it('tells the run’s end to every member platform, skipped ones too, with the reason', () => {
    const started = decide(twoStageRun(), new Map(), t0, options).run;
    const halted = decide(
      started,
      new Map([
        ['dev-1-run1', seen('rolled-back')],
        ['dev-2-run1', seen('rolled-back')],
      ]),
      t0,
      options,
    );
    // prod's members were skipped by the halt: not told one by one; the run's end tells all four.
    expect(told(halted.run, halted.events)).toEqual([
      ['fleet.member.failed', 'dev-1'],
      ['fleet.member.failed', 'dev-2'],
      ['fleet.stage.finished', 'dev-1'],
      ['fleet.stage.finished', 'dev-2'],
      ['fleet.finished', 'dev-1'],
      ['fleet.finished', 'dev-2'],
      ['fleet.finished', 'prod-1'],
      ['fleet.finished', 'prod-2'],
    ]);
    const end = fleetNotifications(halted.run, halted.events).find(
      ({ notification }) => notification.type === 'fleet.finished',
    );
    expect(end?.notification).toMatchObject({
      runState: 'failed',
      reason: expect.stringContaining('stage dev failed'),
    });
  });

  it('tells a stage waiting for approval to its platforms, with the command; a timed wait is not told', () => {
    const gated = runOf(
      strategy([
        stage('dev', { after: [{ kind: 'wait', ms: 60_000 }] }),
        stage('prod', { after: [{ kind: 'wait', ms: 0 }, { kind: 'approval' }] }),
      ]),
      platforms({ dev: 1, prod: 2 }),
    );
    const waiting = decide(gated, new Map(), t0, options);
    expect(waiting.events.map((event) => event.type)).toContain('fleet.stage.gated');
    expect(told(waiting.run, waiting.events)).toEqual([]);

    const devDone = decide(
      decide(waiting.run, new Map(), new Date(t0.getTime() + 60_000), options).run,
      new Map([['dev-1-run1', atGate()]]),
      new Date(t0.getTime() + 60_000),
      options,
    );
    expect(told(devDone.run, devDone.events)).toEqual([
      ['fleet.stage.finished', 'dev-1'],
      ['fleet.stage.awaiting-approval', 'prod-1'],
      ['fleet.stage.awaiting-approval', 'prod-2'],
    ]);
    const approval = fleetNotifications(devDone.run, devDone.events)[1]?.notification;
    expect(approval).toMatchObject({
      stage: { name: 'prod', state: 'gated' },
      message: 'stage prod waits for approval: switchyard fleet approve run1 --stage prod',
    });
  });

  it('does not tell members starting, soaking or succeeding, nor windows and gates', () => {
    const started = decide(twoStageRun(), new Map(), t0, options).run;
    const soaking = decide(
      started,
      new Map([
        ['dev-1-run1', atGate()],
        ['dev-2-run1', atGate()],
      ]),
      t0,
      options,
    );
    const types = soaking.events.map((event) => event.type);
    expect(types).toContain('fleet.member.soaking');
    expect(types).toContain('fleet.member.finished');
    // dev finished (soak 0) and prod started: only the stage transitions are told.
    expect(told(soaking.run, soaking.events)).toEqual([
      ['fleet.stage.finished', 'dev-1'],
      ['fleet.stage.finished', 'dev-2'],
      ['fleet.stage.started', 'prod-1'],
      ['fleet.stage.started', 'prod-2'],
    ]);
  });
});

describe('notifyFleetEvents', () => {
  const log = pino({ level: 'silent' });
  const run = twoStageRun();
  const decision = decide(run, new Map(), t0, options);

  it('posts each notification to its platform’s notifier and never throws', () => {
    const posted: [string, Notification][] = [];
    const recording = (platform: string): Notifier => ({
      async post(notification) {
        posted.push([platform, notification]);
      },
    });
    const refusing: Notifier = {
      post: async () => {
        throw new Error('receiver down');
      },
    };
    const notifierFor = (platform: string) => {
      if (platform === 'dev-2') throw new Error('no providers for dev-2');
      return recording(platform);
    };
    expect(() => notifyFleetEvents({ notifierFor, log }, decision.run, decision.events)).not.toThrow();
    expect(posted.map(([platform, n]) => [platform, n.platform, n.type])).toEqual([
      ['dev-1', 'dev-1', 'fleet.stage.started'],
    ]);
    // A rejecting notifier, and a platform no longer configured, are log lines.
    expect(() =>
      notifyFleetEvents({ notifierFor: () => refusing, log }, decision.run, decision.events),
    ).not.toThrow();
    expect(() =>
      notifyFleetEvents({ notifierFor: () => undefined, log }, decision.run, decision.events),
    ).not.toThrow();
  });

  it('does not wait for delivery', () => {
    let posted = 0;
    const never: Notifier = {
      post: () => {
        posted++;
        return new Promise<void>(() => {});
      },
    };
    notifyFleetEvents({ notifierFor: () => never, log }, decision.run, decision.events);
    expect(posted).toBe(2);
  });
});
