import type { ProxiedCall } from '../env/fault-proxy.js';

/** One ChangeResourceRecordSets call that set weights: when it reached the proxy, and each record's weight. */
export interface WeightWrite {
  readonly at: number;
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * The weighted-record writes among the calls a fault proxy saw, oldest first, read from the change
 * batches' XML (each UPSERT or CREATE names its SetIdentifier and Weight).
 */
export function weightWrites(calls: readonly ProxiedCall[], after = 0): WeightWrite[] {
  const writes: WeightWrite[] = [];
  for (const call of calls) {
    if (call.at < after || call.body === undefined || !call.body.includes('<ChangeBatch>')) continue;
    const weights: Record<string, number> = {};
    for (const change of call.body.split('<Change>').slice(1)) {
      if (/<Action>DELETE<\/Action>/.test(change)) continue;
      const id = /<SetIdentifier>([^<]+)<\/SetIdentifier>/.exec(change)?.[1];
      const weight = /<Weight>(\d+)<\/Weight>/.exec(change)?.[1];
      if (id !== undefined && weight !== undefined) weights[id] = Number(weight);
    }
    if (Object.keys(weights).length > 0) writes.push({ at: call.at, weights });
  }
  return writes;
}

/** Green's share (percent) of each weight write, as Route 53 weights 0–255 give it. */
export function greenShares(writes: readonly WeightWrite[], green: string, blue: string): number[] {
  return writes.map(({ weights }) => {
    const g = weights[green] ?? 0;
    const b = weights[blue] ?? 0;
    return Math.round((100 * g) / (g + b));
  });
}
