/**
 * What share of a synthetic client population's requests green served, per verified weight, judged
 * against the weight the promotion meant. A request counts for a weight when the DNS answer its
 * connection was opened on was asked for at least one TTL after the router verified that weight, and
 * before the weight could have changed again: every such answer was chosen from that weight alone.
 *
 * How far off the share may be, from the sample: requests come in clusters, one per DNS answer (a
 * client keeps an answer for its TTL and a kept-alive connection for its life), so the answers, not the
 * requests, are the independent draws. Treating each answer as an independent draw that is green with
 * the intended probability p (conservative: the DNS stand-in deals answers in a fixed weighted rotation,
 * which varies less than independent draws), the observed share G/N, where answer j carried n_j
 * requests, has the standard error
 *
 *     se = sqrt(p (1 - p) * sum(n_j^2)) / N,   N = sum(n_j)
 *
 * and the tolerance is 4 standard errors (a correct split falls outside it about once in 16,000 steps).
 * At p = 0 or 1 it is zero: a weight of 0 is never answered, so one request on the other side fails it.
 */
import type { RequestRecord } from './synthetic-client.js';

export interface WeightPeriod {
  /** The intended percent to green. */
  readonly green: number;
  /** When the router verified the weight (ms since the epoch). */
  readonly from: number;
  /** The earliest moment the weight may have changed again. */
  readonly until: number;
}

export interface PeriodSplit {
  readonly green: number;
  readonly requests: number;
  readonly answers: number;
  /** Percent of the counted requests green served; undefined without any. */
  readonly observedGreen: number | undefined;
  /** |observed − intended|, in percentage points. */
  readonly deviation: number;
  /** 4 standard errors, in percentage points. */
  readonly tolerance: number;
}

export interface VerifiedWeight {
  readonly at: string;
  readonly green: number;
}

/**
 * The periods a promotion's verified weights held. A weight holds until the next one is verified, but
 * no longer than its `holdMs` when another follows (the next step is written after this step's bake,
 * before it is verified), nor past a cutoff (e.g. when a rollback was asked for) or `end`.
 */
export function weightPeriods(
  history: readonly VerifiedWeight[],
  options: {
    /** How long the product holds a verified weight before it may write the next: the step's bake. */
    readonly holdMs: (weight: VerifiedWeight) => number;
    readonly end: number;
    readonly cutoffs?: readonly number[];
  },
): WeightPeriod[] {
  return history.map((entry, index) => {
    const from = Date.parse(entry.at);
    const next = history[index + 1];
    const held =
      next === undefined ? options.end : Math.min(Date.parse(next.at), from + options.holdMs(entry));
    const cutoff = (options.cutoffs ?? []).filter((at) => at > from);
    return { green: entry.green, from, until: Math.min(held, options.end, ...cutoff) };
  });
}

/** The split of each period, from requests answered by `clusters.green` or `clusters.blue`. */
export function observedSplit(
  records: readonly RequestRecord[],
  periods: readonly WeightPeriod[],
  options: { readonly ttlMs: number; readonly clusters: { readonly blue: string; readonly green: string } },
): PeriodSplit[] {
  return periods.map((period) => {
    /** Requests and green ones per DNS answer: the answers are the independent draws. */
    const byAnswer = new Map<object, { requests: number; green: number }>();
    for (const record of records) {
      const asked = record.answer?.askedAt;
      if (record.answer === undefined || asked === undefined) continue;
      if (asked < period.from + options.ttlMs || asked >= period.until) continue;
      const side =
        record.servedBy === options.clusters.green
          ? 'green'
          : record.servedBy === options.clusters.blue
            ? 'blue'
            : undefined;
      if (side === undefined) continue;
      const cluster = byAnswer.get(record.answer) ?? { requests: 0, green: 0 };
      cluster.requests++;
      if (side === 'green') cluster.green++;
      byAnswer.set(record.answer, cluster);
    }
    const clusters = [...byAnswer.values()];
    const requests = clusters.reduce((sum, c) => sum + c.requests, 0);
    const green = clusters.reduce((sum, c) => sum + c.green, 0);
    const observedGreen = requests === 0 ? undefined : (green / requests) * 100;
    const p = period.green / 100;
    const squares = clusters.reduce((sum, c) => sum + c.requests ** 2, 0);
    const standardError = requests === 0 ? 0 : Math.sqrt(p * (1 - p) * squares) / requests;
    return {
      green: period.green,
      requests,
      answers: clusters.length,
      observedGreen,
      deviation: observedGreen === undefined ? 0 : Math.abs(observedGreen - period.green),
      tolerance: 4 * standardError * 100,
    };
  });
}

/** Requests that got no response, or a status other than 2xx. */
export function failedRequests(records: readonly RequestRecord[]): readonly RequestRecord[] {
  return records.filter((r) => r.status === undefined || r.status < 200 || r.status > 299);
}
