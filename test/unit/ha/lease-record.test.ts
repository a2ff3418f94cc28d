import { describe, expect, it } from 'vitest';
import {
  acquiredSpec,
  holdsTerm,
  leaseExpiresAt,
  mayAcquire,
  microTimeMillis,
  releasedSpec,
  renewedSpec,
} from '../../../src/ha/lease-record.js';

const t0 = Date.UTC(2026, 10, 27, 12, 0, 0, 123);

describe('lease record rules', () => {
  it('writes times as the apiserver reads a MicroTime (six fraction digits) and reads back its strings', () => {
    const spec = acquiredSpec(undefined, 'a', 15, t0);
    expect(JSON.parse(JSON.stringify(spec)).renewTime).toBe('2026-11-27T12:00:00.123000Z');
    expect(microTimeMillis('2026-11-27T12:00:00.123456Z')).toBe(t0);
    expect(microTimeMillis(undefined)).toBeUndefined();
    expect(microTimeMillis('not a time')).toBeUndefined();
  });

  it('a held lease expires its duration after the last renewal; a released one is free at once', () => {
    const held = renewedSpec(acquiredSpec(undefined, 'a', 15, t0), t0 + 4_000);
    expect(leaseExpiresAt(held)).toBe(t0 + 19_000);
    expect(mayAcquire(held, 'b', t0 + 18_999)).toBe(false);
    expect(mayAcquire(held, 'b', t0 + 19_000)).toBe(true);
    expect(mayAcquire(held, 'a', t0 + 5_000)).toBe(true);
    const released = releasedSpec(held, t0 + 5_000);
    expect(released.holderIdentity).toBeUndefined();
    expect(leaseExpiresAt(released)).toBeUndefined();
    expect(mayAcquire(released, 'b', t0 + 5_000)).toBe(true);
    expect(mayAcquire(undefined, 'b', t0)).toBe(true);
  });

  it('every acquisition starts a new epoch, and a release keeps the count so the next term goes above it', () => {
    const first = acquiredSpec(undefined, 'a', 15, t0);
    expect(first.leaseTransitions).toBe(0);
    const second = acquiredSpec(first, 'b', 15, t0 + 20_000);
    expect(second).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 15 });
    const released = releasedSpec(second, t0 + 21_000);
    expect(released).toMatchObject({ leaseTransitions: 1, leaseDurationSeconds: 1 });
    expect(acquiredSpec(released, 'b', 15, t0 + 22_000).leaseTransitions).toBe(2);
  });

  it('a term is held only while the Lease names both its holder and its epoch', () => {
    const spec = acquiredSpec(acquiredSpec(undefined, 'a', 15, t0), 'a', 15, t0);
    expect(holdsTerm(spec, 'a', 1)).toBe(true);
    expect(holdsTerm(spec, 'a', 0)).toBe(false);
    expect(holdsTerm(spec, 'b', 1)).toBe(false);
    expect(holdsTerm(releasedSpec(spec, t0), 'a', 1)).toBe(false);
  });
});
