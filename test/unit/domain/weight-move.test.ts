import { describe, expect, it } from 'vitest';
import type { TrafficReading } from '../../../src/domain/ports.js';
import { decideWeightMove, recordVerifiedWeight } from '../../../src/domain/weight-move.js';
import { type GreenPercent, greenPercent } from '../../../src/domain/weights.js';

const weighted = (green: number | undefined): TrafficReading => ({
  kind: 'weighted',
  green: green === undefined ? undefined : greenPercent(green),
  detail: 'test',
});
const unweighted: TrafficReading = { kind: 'unweighted', green: 0 as GreenPercent, detail: 'simple record' };
const to = (green: number) => greenPercent(green);

describe('one weight move: the decision every caller shares', () => {
  it('writes nothing where the router already shows the target, the unweighted record counting as 0 %', () => {
    const reading = weighted(10);
    expect(decideWeightMove(reading, to(10))).toEqual({ current: 10, write: false, gaining: [], reading });
    expect(decideWeightMove(unweighted, to(0))).toMatchObject({ current: 0, write: false, gaining: [] });
  });

  it('names the side that gains traffic: it must be ready before the write', () => {
    expect(decideWeightMove(unweighted, to(1))).toEqual({
      current: 0,
      write: true,
      gaining: ['green'],
      reading: unweighted,
    });
    expect(decideWeightMove(weighted(50), to(10))).toMatchObject({
      current: 50,
      write: true,
      gaining: ['blue'],
    });
    expect(decideWeightMove(weighted(10), to(50)).gaining).toEqual(['green']);
  });

  it('asks both sides that will hold traffic to be ready when the router shows something not to interpret', () => {
    expect(decideWeightMove(weighted(undefined), to(0))).toMatchObject({
      current: undefined,
      write: true,
      gaining: ['blue'],
    });
    expect(decideWeightMove(weighted(undefined), to(50)).gaining).toEqual(['blue', 'green']);
    expect(decideWeightMove(weighted(undefined), to(100)).gaining).toEqual(['green']);
  });

  it('records a verified weight in the history with its event', () => {
    const traffic = { green: to(10), manual: false, history: [] };
    const at = '2026-01-01T00:00:00.000Z';
    const manual = recordVerifiedWeight(traffic, { green: to(20), reason: 'manual', by: 'ann' }, at);
    expect(manual.traffic).toEqual({
      green: 20,
      manual: false,
      history: [{ at, green: 20, reason: 'manual', by: 'ann' }],
    });
    expect(manual.event).toMatchObject({
      type: 'traffic.verified',
      actor: 'ann',
      data: { green: 20, reason: 'manual' },
    });
    expect(
      recordVerifiedWeight(traffic, { green: to(0), reason: 'rollback', by: 'bob' }, at).event.actor,
    ).toBe('switchyard');
  });
});
