import { describe, expect, it } from 'vitest';
import type { Answer } from '../env/client-resolver.js';
import { failedRequests, observedSplit, weightPeriods } from '../env/observed-split.js';
import type { RequestRecord } from '../env/synthetic-client.js';

const clusters = { blue: 'shop-blue', green: 'shop-green' };
const t0 = Date.parse('2026-11-27T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

function answer(askedAt: number, side: 'blue' | 'green'): Answer {
  return {
    target: `${clusters[side]}.lb.example.test`,
    address: side === 'blue' ? '127.0.0.2' : '127.0.0.3',
    askedAt: t0 + askedAt,
    expiresAt: t0 + askedAt + 1_000,
  };
}

/** `count` requests served on one answer, by the side it pointed at. */
function served(on: Answer, count: number, status = 200): RequestRecord[] {
  const side = on.address === '127.0.0.2' ? clusters.blue : clusters.green;
  return Array.from({ length: count }, (_, i) => ({
    client: 0,
    lane: 'fresh' as const,
    sentAt: on.askedAt + i,
    answer: on,
    servedBy: side,
    status,
  }));
}

describe('weightPeriods', () => {
  const history = [
    { at: at(0), green: 10 },
    { at: at(20_000), green: 50 },
    { at: at(30_000), green: 100 },
  ];

  it('holds each weight for its bake when another follows, and the last one to the end', () => {
    const periods = weightPeriods(history, {
      holdMs: (w) => (w.green === 10 ? 12_000 : 8_000),
      end: t0 + 45_000,
    });
    expect(periods).toEqual([
      { green: 10, from: t0, until: t0 + 12_000 },
      { green: 50, from: t0 + 20_000, until: t0 + 28_000 },
      { green: 100, from: t0 + 30_000, until: t0 + 45_000 },
    ]);
  });

  it('ends a weight at the next verification when that comes before the bake is over', () => {
    const [first] = weightPeriods(history, { holdMs: () => 60_000, end: t0 + 45_000 });
    expect(first?.until).toBe(t0 + 20_000);
  });

  it('ends a weight at the first cutoff after it, such as a rollback request', () => {
    const periods = weightPeriods(history, {
      holdMs: () => 60_000,
      end: t0 + 45_000,
      cutoffs: [t0 - 5_000, t0 + 25_000],
    });
    expect(periods.map((p) => p.until)).toEqual([t0 + 20_000, t0 + 25_000, t0 + 45_000]);
  });
});

describe('observedSplit', () => {
  const ttlMs = 1_000;
  const period = { green: 50, from: t0, until: t0 + 10_000 };

  it('counts only requests on answers asked one TTL after the verification and before the period ends', () => {
    const records = [
      // Asked before the weight was verified plus a TTL: may still reflect the old weight.
      ...served(answer(500, 'blue'), 50),
      ...served(answer(1_000, 'green'), 3),
      ...served(answer(2_000, 'blue'), 1),
      // Asked once the weight may have changed again.
      ...served(answer(10_000, 'green'), 50),
    ];
    const [split] = observedSplit(records, [period], { ttlMs, clusters });
    expect(split).toMatchObject({ green: 50, requests: 4, answers: 2, observedGreen: 75, deviation: 25 });
  });

  it('takes the answers, not the requests, as the draws: clustered requests widen the tolerance', () => {
    // Four answers of one request each: se = sqrt(0.25 * 4) / 4 = 0.25, tolerance 4 se = 100 pp.
    const even = [1_000, 2_000, 3_000, 4_000].flatMap((ms, i) =>
      served(answer(ms, i % 2 ? 'green' : 'blue'), 1),
    );
    expect(observedSplit(even, [period], { ttlMs, clusters })[0]?.tolerance).toBeCloseTo(100);
    // 400 answers of one request: se = sqrt(0.25 * 400) / 400 = 0.025, tolerance 10 pp.
    const many = Array.from({ length: 400 }, (_, i) =>
      served(answer(1_000 + i, i % 2 ? 'green' : 'blue'), 1),
    ).flat();
    const [wide] = observedSplit(many, [period], { ttlMs, clusters });
    expect(wide?.tolerance).toBeCloseTo(10);
    expect(wide?.deviation).toBe(0);
    // The same 400 requests on 40 answers of 10: se = sqrt(0.25 * 40 * 100) / 400 = 0.079, 31.6 pp.
    const clustered = Array.from({ length: 40 }, (_, i) =>
      served(answer(1_000 + i, i % 2 ? 'green' : 'blue'), 10),
    ).flat();
    expect(observedSplit(clustered, [period], { ttlMs, clusters })[0]?.tolerance).toBeCloseTo(31.62, 1);
  });

  it('allows nothing at 0 % or 100 %: one request on the other side is a deviation beyond tolerance', () => {
    const records = [...served(answer(1_000, 'blue'), 99), ...served(answer(2_000, 'green'), 1)];
    const [split] = observedSplit(records, [{ green: 0, from: t0, until: t0 + 10_000 }], { ttlMs, clusters });
    expect(split?.tolerance).toBe(0);
    expect(split?.deviation).toBeCloseTo(1);
  });

  it('says nothing observed when no request falls in the period', () => {
    const [split] = observedSplit([], [period], { ttlMs, clusters });
    expect(split).toMatchObject({ requests: 0, answers: 0, observedGreen: undefined, tolerance: 0 });
  });
});

describe('failedRequests', () => {
  it('counts non-2xx responses and requests without a response', () => {
    const on = answer(0, 'green');
    const records: RequestRecord[] = [
      ...served(on, 2),
      ...served(on, 1, 503),
      { client: 1, lane: 'keptAlive', sentAt: t0, answer: on, error: 'socket hang up' },
      { client: 2, lane: 'fresh', sentAt: t0, error: 'dns: no DNS answer' },
    ];
    expect(failedRequests(records).map((r) => r.status ?? r.error)).toEqual([
      503,
      'socket hang up',
      'dns: no DNS answer',
    ]);
  });
});
