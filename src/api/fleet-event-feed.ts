import { type FleetEvent, isFinishedRun } from '../domain/fleet.js';
import type { FleetRunStore } from '../store/fleet-store.js';
import type { FeedSource } from './event-feed.js';

/** A fleet run's events as the event feeds read them (GET /v1/fleet-runs/{id}/events). */
export function fleetRunFeedSource(runs: FleetRunStore): FeedSource<FleetEvent> {
  return {
    events: (id, afterSeq) => runs.runEvents(id, afterSeq),
    // A run's log is short (a few events per member), so its newest seq is read from the whole log.
    lastSeq: async (id) => (await runs.runEvents(id)).at(-1)?.seq ?? 0,
    finished: async (id) => {
      const run = await runs.getRun(id);
      return run === undefined || isFinishedRun(run);
    },
    watch: (id, listener) => runs.watchRun(id, listener),
  };
}
