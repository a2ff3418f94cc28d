import type { FleetRun } from '../domain/fleet.js';
import type { FleetRunFilter } from './fleet-store.js';
import { pageOf } from './paging.js';

/**
 * The order every store lists fleet runs in, for the stores that sort in process (memory, Kubernetes;
 * SQLite says the same in SQL): by createdAt, then by id, so runs created in the same millisecond still
 * come out the same way on every read and every store.
 */
export function oldestRunFirst(a: FleetRun, b: FleetRun): number {
  return compare(a.createdAt, b.createdAt) || compare(a.id, b.id);
}

/** `listRuns` over all runs: newest first, the state filter, then the page. */
export function runPage(runs: readonly FleetRun[], filter: FleetRunFilter | undefined): FleetRun[] {
  const { limit, offset } = pageOf(filter);
  return runs
    .filter((run) => filter?.state === undefined || run.state === filter.state)
    .sort((a, b) => oldestRunFirst(b, a))
    .slice(offset, offset + limit);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
