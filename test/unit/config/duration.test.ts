import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationMs, formatDuration, parseDuration } from '../../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1h0m5s250ms', 3_605_250],
    ['250ms', 250],
    ['1.5s', 1_500],
    ['0s', 0],
    [' 10s ', 10_000],
    ['30', 30_000],
    [30, 30_000],
    [0.25, 250],
  ] as const)('reads %j as %i ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', 'abc', '5x', '30s1m', '5m5m', '-5s', '1 h', 'ms', '1.5.2s'])(
    'rejects %j, saying what it expected',
    (input) => {
      expect(() => parseDuration(input)).toThrow(/expected a duration like "30s", "5m", "1h30m" or "250ms"/);
    },
  );

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/got -1/);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('rejects fractions of a millisecond', () => {
    expect(() => parseDuration('1.5ms')).toThrow('must be a whole number of milliseconds, got "1.5ms"');
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1_500, '1.5s'],
    [30_000, '30s'],
    [60_000, '60s'],
    [90_000, '90s'],
    [120_000, '2m'],
    [150_000, '2m30s'],
    [5_400_000, '1h30m'],
    [3_600_250, '1h250ms'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('durationMs schema', () => {
  const schema = z.object({ bake: durationMs });

  it('outputs milliseconds', () => {
    expect(schema.parse({ bake: '1h30m' })).toEqual({ bake: 5_400_000 });
  });

  it('reports a bad value at its path with the expected forms', () => {
    const result = schema.safeParse({ bake: 'soon' });
    expect(result.error?.issues).toMatchObject([
      { path: ['bake'], message: expect.stringContaining('got "soon"') },
    ]);
  });

  it('reports a wrong type and a missing value', () => {
    expect(schema.safeParse({ bake: true }).error?.issues[0]?.message).toMatch(
      /expected a duration.*got true/,
    );
    expect(schema.safeParse({}).error?.issues[0]?.message).toBe('required');
  });
});
