import { describe, expect, it } from 'vitest';
import {
  analysisGateId,
  dueRuns,
  recordMeasurement,
  startStepAnalysis,
  stepOutcome,
} from '../../../src/analysis/step.js';
import { analysisVerdict, judgeMeasurement, type Measurement } from '../../../src/analysis/verdict.js';
import type { Verdict } from '../../../src/domain/ports.js';
import { errorRate, promql } from '../../fakes/analysis.js';

const at = new Date('2026-11-25T10:00:00Z');
const value = (v: number) => ({ value: v });
const noData = { noData: true as const, detail: 'empty vector' };

const measured = (...verdicts: Verdict[]): Measurement[] =>
  verdicts.map((verdict) => ({ at: at.toISOString(), verdict, message: verdict }));

describe('one measurement', () => {
  const spec = errorRate({ range: { min: 0, max: 0.01 } });

  it('passes inside the range (inclusive) and fails outside it, saying by how much', () => {
    expect(judgeMeasurement(spec, at, value(0.01))).toMatchObject({ verdict: 'pass', green: 0.01 });
    expect(judgeMeasurement(spec, at, value(0.05))).toMatchObject({
      verdict: 'fail',
      green: 0.05,
      message: 'green 0.05 is above the maximum 0.01',
    });
    expect(judgeMeasurement(spec, at, value(-1)).message).toBe('green -1 is below the minimum 0');
  });

  it('is inconclusive, never failed, on no data, on a provider error and on a value that is not a number', () => {
    expect(judgeMeasurement(spec, at, noData)).toMatchObject({
      verdict: 'inconclusive',
      message: 'green: no data (empty vector)',
    });
    expect(judgeMeasurement(spec, at, { error: 'connect ECONNREFUSED' })).toMatchObject({
      verdict: 'inconclusive',
      message: 'green: error: connect ECONNREFUSED',
    });
    expect(judgeMeasurement(spec, at, value(Number.POSITIVE_INFINITY)).verdict).toBe('inconclusive');
  });

  describe('green compared with blue', () => {
    const compared = errorRate({
      range: { max: 0.5 },
      compare: { against: 'blue', query: promql('shop-blue'), maxRelativeIncrease: 0.2, margin: 0.001 },
    });

    it('passes up to blue × (1 + maxRelativeIncrease) + margin and fails above it', () => {
      expect(judgeMeasurement(compared, at, value(0.121), value(0.1))).toMatchObject({
        verdict: 'pass',
        green: 0.121,
        blue: 0.1,
      });
      expect(judgeMeasurement(compared, at, value(0.13), value(0.1))).toMatchObject({
        verdict: 'fail',
        message: 'green 0.13 is more than 20% above blue 0.1 (limit 0.121)',
      });
    });

    it('lets the margin absorb a trace when blue is at zero', () => {
      expect(judgeMeasurement(compared, at, value(0.0005), value(0)).verdict).toBe('pass');
      expect(judgeMeasurement(compared, at, value(0.002), value(0)).verdict).toBe('fail');
    });

    it('is inconclusive when blue has no data, but a range failure still fails', () => {
      expect(judgeMeasurement(compared, at, value(0.1), noData)).toMatchObject({
        verdict: 'inconclusive',
        message: 'green 0.1; blue: no data (empty vector), cannot compare',
      });
      expect(judgeMeasurement(compared, at, value(0.9), noData).verdict).toBe('fail');
    });
  });
});

describe('an analysis over its measurements', () => {
  const spec = errorRate({ count: 4, failureLimit: 1, inconclusiveLimit: 1 });

  it.each([
    [[], 'running'],
    [['pass', 'pass', 'pass'], 'running'],
    [['pass', 'pass', 'pass', 'pass'], 'passed'],
    [['fail', 'pass', 'inconclusive', 'pass'], 'passed'],
    [['fail', 'fail'], 'failed'],
    [['inconclusive', 'inconclusive'], 'inconclusive'],
    [['inconclusive', 'fail', 'inconclusive', 'fail'], 'failed'],
  ] as [Verdict[], string][])('%j → %s', (verdicts, expected) => {
    expect(analysisVerdict(spec, measured(...verdicts))).toBe(expected);
  });

  it('does not pass on count measurements without a single passing one', () => {
    const lenient = errorRate({ count: 2, failureLimit: 1, inconclusiveLimit: 1 });
    expect(analysisVerdict(lenient, measured('fail', 'inconclusive'))).toBe('inconclusive');
  });
});

describe("a step's analyses", () => {
  const specs = [errorRate(), errorRate({ name: 'latency', intervalMs: 30_000, count: 2 })];

  it('schedules each first measurement one interval after the start, and measures only what is due', () => {
    const state = startStepAnalysis(specs, at);
    expect(state.runs.map((r) => r.nextAt)).toEqual(['2026-11-25T10:01:00.000Z', '2026-11-25T10:00:30.000Z']);
    expect(dueRuns(state, new Date(at.getTime() + 30_000))).toEqual([1]);
    expect(dueRuns(state, new Date(at.getTime() + 60_000))).toEqual([0, 1]);
    expect(stepOutcome(specs, state)).toEqual({ kind: 'measuring', nextAt: at.getTime() + 30_000 });
  });

  it('keeps the cadence, and does not bunch missed measurements when the controller fell behind', () => {
    const spec = errorRate();
    const run = startStepAnalysis([spec], at).runs[0] ?? expect.fail('no run');
    const onTime = recordMeasurement(
      spec,
      run,
      measured('pass')[0] as Measurement,
      new Date(at.getTime() + 60_000),
    );
    expect(onTime.nextAt).toBe('2026-11-25T10:02:00.000Z');
    const late = recordMeasurement(
      spec,
      run,
      measured('pass')[0] as Measurement,
      new Date(at.getTime() + 600_000),
    );
    expect(late.nextAt).toBe('2026-11-25T10:11:00.000Z');
  });

  it('fails when any analysis failed (failure wins over inconclusive), and is done when all passed', () => {
    const state = startStepAnalysis(specs, at);
    const judged = (a: string, b: string) => ({
      ...state,
      runs: [
        { ...state.runs[0], name: 'error-rate', verdict: a, measurements: measured('fail') },
        { ...state.runs[1], name: 'latency', verdict: b, measurements: measured('inconclusive') },
      ],
    });
    expect(stepOutcome(specs, judged('failed', 'inconclusive') as never).kind).toBe('failed');
    expect(stepOutcome(specs, judged('passed', 'inconclusive') as never)).toMatchObject({
      kind: 'inconclusive',
      message: expect.stringMatching(/^latency: 0 passed, 0 failed \(limit 0\), 1 inconclusive \(limit 0\)/),
    });
    expect(stepOutcome(specs, judged('passed', 'passed') as never)).toEqual({ kind: 'done' });
    expect(stepOutcome(specs, { ...judged('passed', 'inconclusive'), acceptedAt: 'now' } as never)).toEqual({
      kind: 'done',
    });
  });

  it('names its gate after the step, and never reuses one already opened', () => {
    expect(analysisGateId(1, 10, [])).toBe('analysis/2-to-10');
    expect(analysisGateId(1, 10, ['analysis/2-to-10'])).toBe('analysis/2-to-10#2');
    expect(analysisGateId(1, 10, ['analysis/2-to-10', 'analysis/2-to-10#2'])).toBe('analysis/2-to-10#3');
  });
});
