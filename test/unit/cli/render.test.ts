import { describe, expect, it } from 'vitest';
import { bar, duration, table } from '../../../src/cli/render.js';

describe('human output', () => {
  it('draws the weight as a ten-cell bar', () => {
    expect(bar(0)).toBe('green ░░░░░░░░░░ 0%');
    expect(bar(60)).toBe('green ██████░░░░ 60%');
    expect(bar(1)).toBe('green ░░░░░░░░░░ 1%');
    expect(bar(100)).toBe('green ██████████ 100%');
  });

  it('shows durations compactly and never negative (client and server clocks differ)', () => {
    expect(duration(42_000)).toBe('42s');
    expect(duration(125_000)).toBe('2m05s');
    expect(duration(3_720_000)).toBe('1h02m');
    expect(duration(-5_000)).toBe('0s');
  });

  it('aligns table columns', () => {
    expect(
      table([
        ['A', 'B', 'C'],
        ['long', 'x', 'y'],
      ]),
    ).toBe('A     B  C\nlong  x  y');
  });
});
