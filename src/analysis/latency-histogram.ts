/**
 * Response-time quantiles in fixed memory: a log-scale histogram with four buckets per doubling, so a
 * quantile is read to within 19% (one bucket) however many requests a step sent. Stored sparse, as
 * [bucket index, count] pairs, so histograms of earlier probe lives add up after a restart.
 */
import type { LatencyBuckets } from '../domain/probe.js';

const bucketsPerDoubling = 4;
/** 2^(79/4) ms ≈ 15 minutes: longer than any probe timeout. */
const lastBucket = 79;

/** The bucket a response time falls in: bucket i holds times above bound(i-1) and up to bound(i). */
export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(lastBucket, Math.ceil(bucketsPerDoubling * Math.log2(ms)));
}

/** The upper bound of a bucket, in milliseconds. */
export function bucketBoundMs(index: number): number {
  return 2 ** (index / bucketsPerDoubling);
}

/** A histogram being filled: one counter per bucket. */
export class LatencyHistogram {
  private readonly counts = new Array<number>(lastBucket + 1).fill(0);

  record(ms: number): void {
    const index = bucketOf(ms);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  buckets(): LatencyBuckets {
    return this.counts.flatMap((count, index) => (count > 0 ? [[index, count] as const] : []));
  }
}

export function mergeBuckets(first: LatencyBuckets, second: LatencyBuckets): LatencyBuckets {
  const sum = new Map<number, number>();
  for (const [index, count] of [...first, ...second]) sum.set(index, (sum.get(index) ?? 0) + count);
  return [...sum.entries()].sort(([a], [b]) => a - b);
}

/**
 * The q-quantile (0.5, 0.99) in milliseconds: the upper bound of the bucket holding the request of
 * that rank, so it never understates a time. Undefined without any response.
 */
export function quantileMs(buckets: LatencyBuckets, q: number): number | undefined {
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [index, count] of [...buckets].sort(([a], [b]) => a - b)) {
    seen += count;
    if (seen >= rank) return Math.round(bucketBoundMs(index) * 10) / 10;
  }
  return undefined;
}
