import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LeaseElector, type StepDownReason } from '../../../src/ha/lease-elector.js';
import { acquiredSpec } from '../../../src/ha/lease-record.js';
import { FakeClock } from './fake-clock.js';
import { FakeLink, FakeObjects, fakeLeaseApi } from './fake-objects.js';

const namespace = 'switchyard';
const name = 'switchyard-leader';
const start = Date.UTC(2026, 10, 27, 12, 0, 0);

/** One apiserver, a fake clock, and replicas that each have their own link and event log. */
function world(timings: { renewDeadlineMs?: number } = {}) {
  const clock = new FakeClock(start);
  const server = new FakeObjects<V1Lease>();
  const replica = (identity: string) => {
    const link = new FakeLink();
    const elector = new LeaseElector({
      leases: fakeLeaseApi(server, link),
      namespace,
      name,
      identity,
      log: pino({ level: 'silent' }),
      now: clock.now,
      sleep: clock.sleep,
      ...timings,
    });
    const events: string[] = [];
    const stoppedAt: number[] = [];
    elector.onStartedLeading((epoch) => {
      events.push(`started ${epoch}`);
    });
    elector.onStoppedLeading((reason: StepDownReason) => {
      events.push(`stopped ${reason}`);
      stoppedAt.push(clock.now());
    });
    return { elector, link, events, stoppedAt };
  };
  const lease = () => server.peek(namespace, name)?.spec;
  const renewedAt = () => new Date(String(lease()?.renewTime)).getTime();
  return { clock, server, replica, lease, renewedAt };
}

describe('LeaseElector', () => {
  it('creates the Lease when there is none and leads at epoch 0, recording holder, duration and times', async () => {
    const { clock, replica, lease } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(0);

    expect(a.elector.isLeader()).toBe(true);
    expect(a.elector.epoch).toBe(0);
    expect(a.events).toEqual(['started 0']);
    const at = new Date(start).toISOString().replace('Z', '000Z');
    expect(lease()).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: at,
      renewTime: at,
      leaseTransitions: 0,
    });
  });

  it('renews every retry period while it leads, keeping the acquire time and the epoch', async () => {
    const { clock, replica, lease, renewedAt } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(2_000);
    expect(renewedAt()).toBe(start + 2_000);
    await clock.advance(20_000);
    expect(renewedAt()).toBe(start + 22_000);
    expect(lease()).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
    expect(new Date(String(lease()?.acquireTime)).getTime()).toBe(start);
    expect(a.events).toEqual(['started 0']);
  });

  it('lets exactly one of two candidates lead when both find no Lease (the second create gets a 409)', async () => {
    const { clock, replica, lease } = world();
    const a = replica('a');
    const b = replica('b');
    a.elector.start();
    b.elector.start();
    await clock.advance(30_000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(b.events).toEqual([]);
    expect(lease()).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
  });

  it('does not take over a Lease before it expires, and takes it over (epoch + 1) when it does', async () => {
    const { clock, server, replica, lease } = world();
    const held: V1Lease = { metadata: { name, namespace }, spec: acquiredSpec(undefined, 'old', 15, start) };
    await server.create(namespace, { ...held, spec: { ...held.spec, leaseTransitions: 4 } });
    const b = replica('b');
    b.elector.start();

    await clock.advance(14_999);
    expect(b.elector.isLeader()).toBe(false);
    expect(lease()?.holderIdentity).toBe('old');

    await clock.advance(1);
    expect(b.elector.isLeader()).toBe(true);
    expect(b.elector.epoch).toBe(5);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
    expect(new Date(String(lease()?.acquireTime)).getTime()).toBe(start + 15_000);
  });

  it('steps down when no renewal succeeds within the renew deadline, before the lease expires for others', async () => {
    const { clock, replica, renewedAt } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(4_000);
    const lastRenewal = renewedAt();
    a.link.down = true;

    await clock.advance(lastRenewal + 9_999 - clock.now());
    expect(a.elector.isLeader()).toBe(true);
    await clock.advance(1);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['started 0', 'stopped renew-deadline']);
    expect(a.stoppedAt[0]).toBe(lastRenewal + 10_000);
    expect(a.stoppedAt[0]).toBeLessThan(lastRenewal + 15_000);
  });

  it('steps down at a deadline that falls between two retries, not at the retry after it', async () => {
    const { clock, replica, renewedAt } = world({ renewDeadlineMs: 9_000 });
    const a = replica('a');
    a.elector.start();
    await clock.advance(4_000);
    const lastRenewal = renewedAt();
    a.link.down = true;
    await clock.advance(12_000);
    expect(a.events).toEqual(['started 0', 'stopped renew-deadline']);
    expect(a.stoppedAt[0]).toBe(lastRenewal + 9_000);
  });

  it('steps down at the deadline when a renewal hangs instead of failing', async () => {
    const { clock, replica, renewedAt } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(2_000);
    const lastRenewal = renewedAt();
    a.link.hung = true;
    await clock.advance(12_000);
    expect(a.events).toEqual(['started 0', 'stopped renew-deadline']);
    expect(a.stoppedAt[0]).toBe(lastRenewal + 10_000);
  });

  it('keeps leading through failed renewals that recover before the deadline', async () => {
    const { clock, replica } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(2_000);
    a.link.down = true;
    await clock.advance(7_000);
    a.link.down = false;
    await clock.advance(20_000);
    expect(a.events).toEqual(['started 0']);
  });

  it('counts transitions over a change of holder each way, and the old leader stays a follower', async () => {
    const { clock, replica, lease } = world();
    const a = replica('a');
    const b = replica('b');
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    a.link.down = true;

    await clock.advance(20_000);
    expect(b.events).toEqual(['started 1']);
    a.link.down = false;
    await clock.advance(20_000);
    expect(a.events).toEqual(['started 0', 'stopped renew-deadline']);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });

    b.link.down = true;
    await clock.advance(20_000);
    expect(a.events).toEqual(['started 0', 'stopped renew-deadline', 'started 2']);
    expect(b.events).toEqual(['started 1', 'stopped renew-deadline']);
    expect(lease()).toMatchObject({ holderIdentity: 'a', leaseTransitions: 2 });
  });

  it('steps down when the Lease names another holder at its next renewal', async () => {
    const { clock, server, replica } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(0);
    const current = await server.read(namespace, name);
    await server.replace(namespace, name, {
      ...current,
      spec: acquiredSpec(current.spec, 'intruder', 15, start),
    });
    await clock.advance(2_000);
    expect(a.events).toEqual(['started 0', 'stopped lost-lease']);
  });

  it('on stop, steps down first and then releases the Lease, so a waiting candidate leads at its next attempt', async () => {
    const { clock, replica, lease } = world();
    const a = replica('a');
    const b = replica('b');
    const holderDuringStepDown: (string | undefined)[] = [];
    a.elector.onStoppedLeading(() => {
      holderDuringStepDown.push(lease()?.holderIdentity);
    });
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(5_000);

    await a.elector.stop();
    expect(a.events).toEqual(['started 0', 'stopped stopped']);
    expect(holderDuringStepDown).toEqual(['a']);
    expect(lease()?.holderIdentity).toBeUndefined();
    expect(lease()?.leaseTransitions).toBe(0);

    await clock.advance(2_000);
    expect(b.events).toEqual(['started 1']);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a nudge makes a waiting candidate try at once; while leading it changes nothing', async () => {
    const { clock, replica, lease, renewedAt } = world();
    const a = replica('a');
    const b = replica('b');
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(1_000);
    a.elector.nudge();
    await clock.advance(0);
    expect(renewedAt()).toBe(start);

    await a.elector.stop();
    await clock.advance(0);
    expect(b.events).toEqual([]);
    b.elector.nudge();
    await clock.advance(0);
    expect(b.events).toEqual(['started 1']);
    expect(clock.now()).toBe(start + 1_000);
    expect(lease()?.holderIdentity).toBe('b');
  });

  it('after a fenced step-down it stops leading at once, and leads again only in a new term', async () => {
    const { clock, replica } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(0);
    a.elector.stepDown('fenced');
    expect(a.elector.isLeader()).toBe(false);
    expect(a.elector.epoch).toBeUndefined();
    await clock.advance(2_000);
    expect(a.events).toEqual(['started 0', 'stopped fenced', 'started 1']);
  });

  it('after a freeze past the renew deadline, no longer leads now although its term is still in memory', async () => {
    const { clock, replica } = world();
    const a = replica('a');
    a.elector.start();
    await clock.advance(0);
    expect(a.elector.leadsNow()).toBe(true);
    clock.freeze(9_000);
    expect(a.elector.leadsNow()).toBe(true); // renewed at 0; the deadline is 10 s
    clock.freeze(2_000);
    // The loop has not run since: the term is still held, but acting now could overlap a new leader.
    expect(a.elector.isLeader()).toBe(true);
    expect(a.elector.leadsNow()).toBe(false);
    await clock.advance(100);
    // When its loop runs again it steps down (it may then lead again, in a new term).
    expect(a.events.slice(0, 2)).toEqual(['started 0', 'stopped renew-deadline']);
  });

  it('refuses timings that would let the lease expire before the holder steps down', () => {
    const options = { leases: fakeLeaseApi(new FakeObjects()), namespace, name, identity: 'a', log: pino() };
    expect(() => new LeaseElector({ ...options, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(
      /renew deadline/,
    );
    expect(() => new LeaseElector({ ...options, leaseDurationMs: 2_500 })).toThrow(/whole seconds/);
  });
});
