import { describe, expect, it } from 'vitest';
import type { FleetWindow } from '../../../src/domain/fleet.js';
import { describeWindow, forwardAllowed, nextWindowChange } from '../../../src/fleet/windows.js';

const weekendNights: FleetWindow = {
  kind: 'deny',
  days: ['sat', 'sun'],
  startMinute: 22 * 60,
  endMinute: 24 * 60,
};
const officeHours: FleetWindow = {
  kind: 'allow',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  startMinute: 9 * 60,
  endMinute: 17 * 60,
};

const at = (iso: string) => new Date(iso);

describe('fleet windows (UTC)', () => {
  it('no windows: always allowed, never a change', () => {
    expect(forwardAllowed([], at('2026-11-28T23:00:00Z'))).toBe(true);
    expect(nextWindowChange([], at('2026-11-28T23:00:00Z'))).toBeUndefined();
  });

  it('a deny window holds its days and hours only, end exclusive', () => {
    expect(forwardAllowed([weekendNights], at('2026-11-28T21:59:59Z'))).toBe(true); // Saturday
    expect(forwardAllowed([weekendNights], at('2026-11-28T22:00:00Z'))).toBe(false);
    expect(forwardAllowed([weekendNights], at('2026-11-28T23:59:59Z'))).toBe(false);
    expect(forwardAllowed([weekendNights], at('2026-11-27T23:00:00Z'))).toBe(true); // Friday
    expect(nextWindowChange([weekendNights], at('2026-11-28T22:30:00Z'))?.toISOString()).toBe(
      '2026-11-29T00:00:00.000Z',
    );
  });

  it('allow windows admit only inside one of them; a deny inside wins', () => {
    const lunch: FleetWindow = { kind: 'deny', startMinute: 12 * 60, endMinute: 13 * 60 };
    expect(forwardAllowed([officeHours], at('2026-11-25T08:59:00Z'))).toBe(false);
    expect(forwardAllowed([officeHours], at('2026-11-25T09:00:00Z'))).toBe(true);
    expect(forwardAllowed([officeHours, lunch], at('2026-11-25T12:30:00Z'))).toBe(false);
    expect(forwardAllowed([officeHours], at('2026-11-28T10:00:00Z'))).toBe(false); // Saturday
    // Friday evening: the next change is Monday 09:00.
    expect(nextWindowChange([officeHours], at('2026-11-27T18:00:00Z'))?.toISOString()).toBe(
      '2026-11-30T09:00:00.000Z',
    );
  });

  it('describes a window for messages', () => {
    expect(describeWindow(weekendNights)).toBe('deny sat,sun 22:00–24:00 UTC');
  });
});
