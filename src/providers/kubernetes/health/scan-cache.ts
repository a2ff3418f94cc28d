import type { ClusterRef } from '../../../domain/promotion.js';
import type { RemovedApiScanner, RemovedApiScanResult } from './removed-apis.js';

/**
 * How long a removed-API scan of blue stands. Within one promotion the scan is asked for by the dry run
 * when it is created and by every qualify-foundation pass, seconds apart, and blue's objects do not
 * change in that time in any way that matters; listing every at-risk kind again costs most of a
 * qualify pass. A promotion that comes back after longer (resumed after a pause, a controller down
 * for a while) scans again, since a team may have deployed to blue in between.
 */
export const removedApiScanMaxAgeMs = 10 * 60_000;

/**
 * Keeps each scan's answer per blue cluster, by its identity (for EKS its API endpoint, new for every
 * cluster created under a reused name), and target version. Only a complete answer is kept: a scan
 * that failed or could not read everything (an inconclusive check) runs again on the next pass.
 */
export function cachedScanner(
  scan: RemovedApiScanner,
  identify: (blue: ClusterRef) => Promise<string>,
  now: () => Date,
): RemovedApiScanner {
  const kept = new Map<string, { readonly result: Promise<RemovedApiScanResult>; readonly at: number }>();
  return async (request) => {
    const key = `${await identify(request.blue)}|${request.targetVersion}`;
    const at = now().getTime();
    for (const [k, entry] of kept) if (at - entry.at >= removedApiScanMaxAgeMs) kept.delete(k);
    const found = kept.get(key);
    if (found) return found.result;
    const result = scan(request);
    kept.set(key, { result, at });
    const forget = () => {
      if (kept.get(key)?.result === result) kept.delete(key);
    };
    result.then((r) => {
      if (r.checks.some((check) => check.verdict === 'inconclusive')) forget();
    }, forget);
    return result;
  };
}
