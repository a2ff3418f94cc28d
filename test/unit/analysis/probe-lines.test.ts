import { describe, expect, it } from 'vitest';
import { probeLines } from '../../../src/analysis/probe-lines.js';
import { dashboardScript } from '../../../src/api/dashboard/script.js';
import { renderPromotion } from '../../../src/cli/render.js';

const findings = (failed: number, observed?: number, p99Ms?: number) => ({
  failed,
  errorBudget: 0,
  ...(p99Ms !== undefined && { p50Ms: 1, p99Ms }),
  observedGreen: observed === undefined ? {} : { bake: observed },
});
const summary = (step: number, green: number, sent: number, observed: number) => ({
  step,
  green,
  before: 0,
  sent,
  findings: findings(0, observed, 4),
});

/** A shift in its second step: step 1 summarised, step 2 probing before its weight is verified. */
const shifting = {
  step: 1,
  part: 'verify',
  probed: [summary(0, 10, 240, 9.6)],
  probe: {
    intended: { before: 10, green: 50 },
    counts: { sent: 12 },
    findings: { failed: 0, errorBudget: 0, observedGreen: { write: 16.7 } },
  },
};

describe('probeLines', () => {
  it('gives one line per finished step, then the current step so far', () => {
    expect(probeLines(shifting)).toEqual([
      'step 1 → 10%: 240 sent, 0 failed (budget 0), green 9.6% of responses, p50 1 ms, p99 4 ms',
      'step 2 → 50% (so far): 12 sent, 0 failed (budget 0), green 16.7% of responses',
    ]);
  });

  it('does not repeat the last step, whose evidence stays beside its summary once the shift ends', () => {
    const ended = {
      step: 1,
      part: 'bake',
      probed: [summary(0, 50, 100, 51), summary(1, 100, 100, 100)],
      probe: { intended: { before: 50, green: 100 }, counts: { sent: 100 }, findings: findings(0, 100) },
    };
    expect(probeLines(ended)).toHaveLength(2);
  });

  it('names failures and restarts', () => {
    const failing = {
      step: 0,
      probed: [{ ...summary(0, 10, 90, 10), findings: findings(3), interruptions: [{}] }],
    };
    expect(probeLines(failing)).toEqual(['step 1 → 10%: 90 sent, 3 failed (budget 0), interrupted 1×']);
  });

  it('says when green had a share yet answered none of the bake', () => {
    const blind = {
      step: 0,
      probed: [{ ...summary(0, 1, 60, 0), findings: { ...findings(0, 0, 3), greenReached: false } }],
    };
    expect(probeLines(blind)).toEqual([
      'step 1 → 1%: 60 sent, 0 failed (budget 0), green 0% of responses, green not reached, p50 1 ms, p99 3 ms',
    ]);
  });

  it('says nothing without a probe', () => {
    expect(probeLines(undefined)).toEqual([]);
    expect(probeLines({ step: 0, part: 'check' })).toEqual([]);
  });

  it('is the function the dashboard runs: its source text, evaluated, gives the same lines', () => {
    expect(dashboardScript).toContain(probeLines.toString());
    const inBrowser = new Function(`${probeLines.toString()}\nreturn probeLines;`)() as typeof probeLines;
    expect(inBrowser(shifting)).toEqual(probeLines(shifting));
  });

  it('shows in switchyard status under the traffic line', () => {
    const promotion = {
      id: 'shop-20261127110644-b771',
      platform: 'shop',
      fromVersion: '1.35',
      toVersion: '1.36',
      phase: 'running',
      currentStage: 'shift-traffic',
      blue: { name: 'shop-blue', slot: 'a' },
      green: { name: 'shop-green', slot: 'b', adopted: false },
      stages: { 'shift-traffic': { state: 'running', message: 'step 2', attempts: 0, saved: shifting } },
      traffic: { green: 10, manual: false, history: [] },
      gates: [],
    } as unknown as Parameters<typeof renderPromotion>[0];
    const text = renderPromotion(promotion, new Date('2026-11-27T11:07:00Z'));
    expect(text).toContain('probe     step 1 → 10%: 240 sent, 0 failed');
    expect(text).toContain('probe     step 2 → 50% (so far): 12 sent');
  });
});
