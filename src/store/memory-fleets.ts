import { NotFoundError } from '../domain/errors.js';
import { type FleetEvent, type FleetRun, isFinishedRun, type NewFleetEvent } from '../domain/fleet.js';
import { createChangeBus } from './changes.js';
import { duplicateRunError, staleRunWriteError } from './errors.js';
import { oldestRunFirst, runPage } from './fleet-order.js';
import type { FleetRunStore } from './fleet-store.js';

export interface MemoryFleetOptions {
  readonly now: () => Date;
  /** Throws once the store that holds these runs is closed. */
  readonly open: () => void;
}

/**
 * Fleet runs in process memory, for the memory store. Like its promotions, runs and events go in and
 * out through a JSON round trip (what SQLite's `doc` column does), so no caller shares stored state.
 */
export function createMemoryFleetStore({ now, open }: MemoryFleetOptions): FleetRunStore {
  // A bus of its own: run ids and promotion ids are different names and must not reach each other's watchers.
  const bus = createChangeBus();
  const runs = new Map<string, FleetRun>();
  const log: FleetEvent[] = [];
  let lastSeq = 0;

  function append(runId: string, events: readonly NewFleetEvent[]): void {
    const at = now().toISOString();
    for (const e of events) {
      const event: FleetEvent = {
        seq: ++lastSeq,
        runId,
        at,
        type: e.type,
        message: e.message,
        actor: e.actor,
      };
      log.push(copy(e.data === undefined ? event : { ...event, data: e.data }));
    }
  }

  function stored(run: FleetRun, events: readonly NewFleetEvent[]): FleetRun {
    const kept = copy(run);
    runs.set(kept.id, kept);
    append(kept.id, events);
    bus.publish({ promotionId: kept.id, finished: isFinishedRun(kept) });
    return copy(kept);
  }

  return {
    async createRun(run, events) {
      open();
      if (runs.has(run.id)) throw duplicateRunError(run.id);
      return stored({ ...run, version: 1 }, events);
    },

    async getRun(id) {
      open();
      const found = runs.get(id);
      return found && copy(found);
    },

    async listRuns(filter) {
      open();
      return runPage([...runs.values()], filter).map(copy);
    },

    async activeRuns() {
      open();
      return [...runs.values()]
        .filter((run) => !isFinishedRun(run))
        .sort(oldestRunFirst)
        .map(copy);
    },

    async updateRun(next, events) {
      open();
      const current = runs.get(next.id);
      if (!current) throw new NotFoundError('fleet run', next.id);
      if (current.version !== next.version) throw staleRunWriteError(next.id, next.version, current.version);
      return stored({ ...next, version: next.version + 1, updatedAt: now().toISOString() }, events);
    },

    async runEvents(runId, afterSeq = 0) {
      open();
      return log.filter((e) => e.runId === runId && e.seq > afterSeq).map(copy);
    },

    watchRun(runId, listener) {
      return bus.watch(runId, listener);
    },
  };
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
