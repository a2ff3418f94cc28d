import { z } from 'zod';
import { describeValue } from './issues.js';

const unitMs = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/**
 * Units largest first, each at most once ("1h30m", "2m30s", "250ms"). Out-of-order or repeated units
 * ("30s1m", "5m5m") are rejected: they are more likely typos than intent.
 */
const durationPattern =
  /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;
const plainNumber = /^\d+(?:\.\d+)?$/;

const expected = 'expected a duration like "30s", "5m", "1h30m" or "250ms", or a number of seconds';

/**
 * Parses "30s", "5m", "1h30m", "250ms", or a plain number of seconds (30 or "30"), into milliseconds.
 * Throws a RangeError saying what was expected; the result is always a whole number of milliseconds.
 */
export function parseDuration(input: string | number): number {
  const ms = typeof input === 'number' ? secondsToMs(input) : parseText(input.trim());
  if (ms === undefined) throw new RangeError(`${expected}, got ${JSON.stringify(input)}`);
  // Fractions are allowed ("1.5s") but must land on a whole millisecond; a tolerance absorbs float noise.
  const whole = Math.round(ms);
  if (Math.abs(ms - whole) > 1e-6) {
    throw new RangeError(`must be a whole number of milliseconds, got ${JSON.stringify(input)}`);
  }
  return whole;
}

function secondsToMs(seconds: number): number | undefined {
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * unitMs.s : undefined;
}

function parseText(text: string): number | undefined {
  if (plainNumber.test(text)) return secondsToMs(Number(text));
  const match = durationPattern.exec(text);
  if (text === '' || match === null) return undefined;
  const [, h, m, s, ms] = match;
  return [
    [h, unitMs.h],
    [m, unitMs.m],
    [s, unitMs.s],
    [ms, unitMs.ms],
  ].reduce((total, [value, unit]) => total + (value === undefined ? 0 : Number(value) * Number(unit)), 0);
}

/**
 * Formats milliseconds for messages. Below two minutes it stays in seconds ("60s", "90s"), as kubectl's
 * human durations do, because TTLs and bakes are usually written that way; above, "2m30s", "1h30m".
 */
export function formatDuration(ms: number): string {
  if (ms < unitMs.s) return `${ms}ms`;
  if (ms < 2 * unitMs.m) return `${ms / unitMs.s}s`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of Object.entries(unitMs)) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}

/**
 * A duration field: accepts the forms `parseDuration` does and outputs milliseconds. It takes any input
 * and judges it itself, so a wrong type gets the same "expected a duration like …" message as a typo.
 */
export const durationMs = z.unknown().transform((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'required' });
    return z.NEVER;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    ctx.addIssue({ code: 'custom', message: `${expected}, got ${describeValue(value)}` });
    return z.NEVER;
  }
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

/** A duration that must be longer than zero (poll intervals, retry delays, timeouts). */
export const positiveDurationMs = durationMs.refine((ms) => ms > 0, 'must be longer than 0');
