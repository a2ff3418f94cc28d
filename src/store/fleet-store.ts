import type { FleetEvent, FleetRun, FleetRunState, NewFleetEvent } from '../domain/fleet.js';
import type { ChangeListener } from './changes.js';

export interface FleetRunFilter {
  readonly state?: FleetRunState;
  /** Newest first; at most this many (default 50). */
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * Durable fleet runs and their append-only event logs, beside the promotions of the same store (one
 * SQLite file, one memory store, one Kubernetes namespace). Same rules as promotions: `createRun`
 * stores version 1 (ConflictError for a duplicate id); `updateRun` is compare-and-swap on `version`
 * (stale write → ConflictError, nothing stored) and appends the events in the same write.
 */
export interface FleetRunStore {
  createRun(run: FleetRun, events: readonly NewFleetEvent[]): Promise<FleetRun>;
  getRun(id: string): Promise<FleetRun | undefined>;
  listRuns(filter?: FleetRunFilter): Promise<FleetRun[]>;
  /** Every unfinished run, oldest first: what the fleet reconciler drives. */
  activeRuns(): Promise<FleetRun[]>;
  updateRun(next: FleetRun, events: readonly NewFleetEvent[]): Promise<FleetRun>;
  /** Events in order; with `afterSeq`, only those after it. Unknown run: none. */
  runEvents(runId: string, afterSeq?: number): Promise<FleetEvent[]>;
  /** Told after every committed write of the run (`promotionId` carries the run id). */
  watchRun(runId: string, listener: ChangeListener): () => void;
}
