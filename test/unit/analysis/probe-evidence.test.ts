import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  LatencyHistogram,
  mergeBuckets,
  quantileMs,
} from '../../../src/analysis/latency-histogram.js';
import {
  addCounts,
  beginStepProbe,
  emptyCounts,
  observedGreenPercent,
  overBudget,
  summarizeProbe,
  updateStepProbe,
} from '../../../src/analysis/probe-evidence.js';
import type { ProbeSpec } from '../../../src/domain/plan.js';
import type { ProbeCounts } from '../../../src/domain/probe.js';

const spec: ProbeSpec = {
  url: 'http://shop.example.test/healthz',
  ratePerSecond: 20,
  servedByHeader: 'x-served-by',
  errorBudget: 0,
  timeoutMs: 2000,
  keepAliveShare: 0.5,
};
const t0 = new Date('2026-11-27T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** Counts of `ok` good answers per side, plus the failures given. */
function counts(
  served: { blue: number; green: number },
  failures: Partial<{ greenNon2xx: number; blueErrors: number; unknownErrors: number }> = {},
): ProbeCounts {
  const empty = emptyCounts();
  const histogram = new LatencyHistogram();
  for (let i = 0; i < served.blue + served.green; i++) histogram.record(5);
  return {
    ...empty,
    sent:
      served.blue +
      served.green +
      (failures.greenNon2xx ?? 0) +
      (failures.blueErrors ?? 0) +
      (failures.unknownErrors ?? 0),
    sides: {
      blue: { ok: served.blue, non2xx: 0, connectionErrors: failures.blueErrors ?? 0 },
      green: { ok: served.green, non2xx: failures.greenNon2xx ?? 0, connectionErrors: 0 },
      unknown: { ok: 0, non2xx: 0, connectionErrors: failures.unknownErrors ?? 0 },
    },
    served: { write: empty.served.write, bake: { ...served, unknown: 0 } },
    latency: histogram.buckets(),
  };
}

describe('latency histogram', () => {
  it('reads quantiles to within one bucket (19%) above the true value', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    const p50 = quantileMs(histogram.buckets(), 0.5) ?? 0;
    const p99 = quantileMs(histogram.buckets(), 0.99) ?? 0;
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50 * 1.19);
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(99 * 1.19);
  });

  it('keeps at most one counter per bucket however many responses it holds', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 100_000; i++) histogram.record((i % 5000) / 3);
    const buckets = histogram.buckets();
    expect(buckets.length).toBeLessThanOrEqual(80);
    expect(buckets.reduce((sum, [, count]) => sum + count, 0)).toBe(100_000);
  });

  it('puts sub-millisecond and huge times in the end buckets, and adds histograms bucket by bucket', () => {
    expect(bucketOf(0.2)).toBe(0);
    expect(bucketOf(10 ** 9)).toBe(79);
    expect(
      mergeBuckets(
        [
          [3, 1],
          [8, 2],
        ],
        [
          [8, 1],
          [1, 4],
        ],
      ),
    ).toEqual([
      [1, 4],
      [3, 1],
      [8, 3],
    ]);
    expect(quantileMs([], 0.5)).toBeUndefined();
  });
});

describe('probe evidence', () => {
  it('passes a step with no failure within a budget of 0', () => {
    const probe = beginStepProbe(
      spec,
      { life: 'a', startedAt: t0.toISOString(), counts: counts({ blue: 90, green: 10 }) },
      { before: 1, green: 10 },
      at(1),
    );
    expect(overBudget(probe)).toBeUndefined();
    expect(probe.findings).toMatchObject({ failed: 0, errorBudget: 0, observedGreen: { bake: 10 } });
  });

  it('fails a step over its budget, naming each side and kind of failure', () => {
    const failing = counts({ blue: 50, green: 40 }, { greenNon2xx: 2, blueErrors: 1 });
    const probe = beginStepProbe(
      spec,
      { life: 'a', startedAt: t0.toISOString(), counts: failing },
      { before: 10, green: 50 },
      at(1),
    );
    expect(overBudget(probe)).toBe(
      'probe: 3 failed requests of 93 at 50% to green (error budget 0): blue: 1 connection error; green: 2 non-2xx',
    );
    const lenient = beginStepProbe(
      { ...spec, errorBudget: 3 },
      { life: 'a', startedAt: t0.toISOString(), counts: failing },
      { before: 10, green: 50 },
      at(1),
    );
    expect(overBudget(lenient)).toBeUndefined();
  });

  it('names the latest failure the probe saw', () => {
    const probe = beginStepProbe(
      spec,
      {
        life: 'a',
        startedAt: t0.toISOString(),
        counts: counts({ blue: 5, green: 5 }, { unknownErrors: 2 }),
        lastFailure: 'unknown: getaddrinfo ENOTFOUND shop.example.test',
      },
      { before: 0, green: 1 },
      at(1),
    );
    expect(overBudget(probe)).toBe(
      'probe: 2 failed requests of 12 at 1% to green (error budget 0): unknown: 2 connection errors; ' +
        'last: unknown: getaddrinfo ENOTFOUND shop.example.test',
    );
  });

  it('counts errors on no named side too', () => {
    const probe = beginStepProbe(
      spec,
      { life: 'a', startedAt: t0.toISOString(), counts: counts({ blue: 5, green: 5 }, { unknownErrors: 1 }) },
      { before: 0, green: 1 },
      at(1),
    );
    expect(overBudget(probe)).toContain('unknown: 1 connection error');
  });

  it('says when green had a share but answered none of the bake, without failing the step', () => {
    const start = (served: { blue: number; green: number }, green: number) =>
      beginStepProbe(
        spec,
        { life: 'a', startedAt: t0.toISOString(), counts: counts(served) },
        { before: 0, green },
        at(1),
      );
    const blind = start({ blue: 40, green: 0 }, 1);
    expect(blind.findings.greenReached).toBe(false);
    expect(overBudget(blind)).toBeUndefined();
    expect(summarizeProbe(0, blind).findings.greenReached).toBe(false);

    // One green answer is enough; a step sending green nothing expects none; no bake answer yet says nothing.
    expect(start({ blue: 39, green: 1 }, 1).findings).not.toHaveProperty('greenReached');
    expect(start({ blue: 40, green: 0 }, 0).findings).not.toHaveProperty('greenReached');
    const writeOnly = beginStepProbe(
      spec,
      {
        life: 'a',
        startedAt: t0.toISOString(),
        counts: {
          ...counts({ blue: 0, green: 0 }),
          served: { ...emptyCounts().served, write: { blue: 20, green: 0, unknown: 0 } },
        },
      },
      { before: 0, green: 10 },
      at(1),
    );
    expect(writeOnly.findings).not.toHaveProperty('greenReached');

    // Green answering later in the bake clears it.
    const reached = updateStepProbe(
      spec,
      blind,
      { life: 'a', startedAt: t0.toISOString(), counts: counts({ blue: 80, green: 1 }) },
      at(2),
    );
    expect(reached.findings).not.toHaveProperty('greenReached');
  });

  it('reads the observed split off the responses a side was named for', () => {
    expect(observedGreenPercent({ blue: 3, green: 1, unknown: 50 })).toBe(25);
    expect(observedGreenPercent({ blue: 0, green: 0, unknown: 7 })).toBeUndefined();
  });

  it('adds a restarted probe to what was saved and records the gap', () => {
    const first = beginStepProbe(
      spec,
      { life: 'a', startedAt: t0.toISOString(), counts: counts({ blue: 30, green: 0 }) },
      { before: 0, green: 10 },
      at(10),
    );
    const same = updateStepProbe(
      spec,
      first,
      { life: 'a', startedAt: t0.toISOString(), counts: counts({ blue: 60, green: 5 }) },
      at(20),
    );
    expect(same.counts.sent).toBe(65);
    expect(same.interruptions).toBeUndefined();

    const restarted = updateStepProbe(
      spec,
      same,
      { life: 'b', startedAt: at(45).toISOString(), counts: counts({ blue: 9, green: 1 }) },
      at(50),
    );
    expect(restarted.counts.sent).toBe(75);
    expect(restarted.earlier?.sent).toBe(65);
    expect(restarted.interruptions).toEqual([
      { since: at(20).toISOString(), resumedAt: at(45).toISOString() },
    ]);

    const later = updateStepProbe(
      spec,
      restarted,
      { life: 'b', startedAt: at(45).toISOString(), counts: counts({ blue: 18, green: 2 }) },
      at(60),
    );
    expect(later.counts.sent).toBe(85);
    expect(later.counts).toEqual(addCounts(counts({ blue: 60, green: 5 }), counts({ blue: 18, green: 2 })));

    const summary = summarizeProbe(1, later);
    expect(summary).toMatchObject({
      step: 1,
      green: 10,
      before: 0,
      sent: 85,
      interruptions: restarted.interruptions,
    });
    expect(summary).not.toHaveProperty('counts');
  });
});
