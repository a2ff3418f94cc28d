import type Database from 'better-sqlite3';
import { NotFoundError } from '../domain/errors.js';
import { type FleetEvent, type FleetRun, isFinishedRun, type NewFleetEvent } from '../domain/fleet.js';
import { type ChangeBus, createChangeBus } from './changes.js';
import { duplicateRunError, staleRunWriteError } from './errors.js';
import type { FleetRunStore } from './fleet-store.js';
import { pageOf } from './paging.js';

interface RunRow {
  readonly id: string;
  readonly state: string;
  readonly active: 0 | 1;
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly doc: string;
}

interface FleetEventRow {
  readonly seq: number;
  readonly run_id: string;
  readonly at: string;
  readonly type: string;
  readonly message: string;
  readonly actor: string;
  readonly data: string | null;
}

export interface SqliteFleetOptions {
  readonly now: () => Date;
  /** Throws once the database is closed. */
  readonly open: () => void;
  readonly bus?: ChangeBus;
}

/**
 * Fleet runs in the SQLite store's own file and connection (tables fleet_runs and fleet_events), so the
 * exclusive lock that keeps a second controller off the promotions keeps it off the runs too. The
 * record and its events are written in one transaction; the change bus hears only committed writes.
 */
export function sqliteFleetStore(db: Database.Database, options: SqliteFleetOptions): FleetRunStore {
  const { now, open } = options;
  // In process is complete: the exclusive lock means every write of these tables passes through here.
  const bus = options.bus ?? createChangeBus();

  const insert = db.prepare<RunRow>(
    `INSERT INTO fleet_runs (id, state, active, version, created_at, updated_at, doc)
     VALUES (@id, @state, @active, @version, @created_at, @updated_at, @doc)`,
  );
  const compareAndSwap = db.prepare<RunRow & { readonly expected: number }>(
    `UPDATE fleet_runs SET state = @state, active = @active, version = @version,
       created_at = @created_at, updated_at = @updated_at, doc = @doc
     WHERE id = @id AND version = @expected`,
  );
  const byId = db.prepare<[string], { doc: string; version: number }>(
    'SELECT doc, version FROM fleet_runs WHERE id = ?',
  );
  const listed = db.prepare<{ state: string | null; limit: number; offset: number }, { doc: string }>(
    `SELECT doc FROM fleet_runs WHERE (@state IS NULL OR state = @state)
     ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`,
  );
  const activeAll = db.prepare<[], { doc: string }>(
    'SELECT doc FROM fleet_runs WHERE active = 1 ORDER BY created_at, id',
  );
  const insertEvent = db.prepare<[string, string, string, string, string, string | null]>(
    'INSERT INTO fleet_events (run_id, at, type, message, actor, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const eventsAfter = db.prepare<[string, number], FleetEventRow>(
    'SELECT * FROM fleet_events WHERE run_id = ? AND seq > ? ORDER BY seq',
  );

  function append(runId: string, events: readonly NewFleetEvent[]): void {
    const at = now().toISOString();
    for (const e of events) {
      const data = e.data === undefined ? null : JSON.stringify(e.data);
      insertEvent.run(runId, at, e.type, e.message, e.actor, data);
    }
  }

  function committed(row: RunRow): FleetRun {
    bus.publish({ promotionId: row.id, finished: row.active === 0 });
    return JSON.parse(row.doc) as FleetRun;
  }

  return {
    async createRun(run, events) {
      open();
      const row = rowOf({ ...run, version: 1 });
      db.transaction(() => {
        // Asked first rather than read from a constraint error: one connection, so nothing can come between.
        if (byId.get(row.id)) throw duplicateRunError(row.id);
        insert.run(row);
        append(row.id, events);
      })();
      return committed(row);
    },

    async getRun(id) {
      open();
      const row = byId.get(id);
      return row && (JSON.parse(row.doc) as FleetRun);
    },

    async listRuns(filter) {
      open();
      const page = pageOf(filter);
      return listed.all({ state: filter?.state ?? null, ...page }).map((r) => JSON.parse(r.doc) as FleetRun);
    },

    async activeRuns() {
      open();
      return activeAll.all().map((r) => JSON.parse(r.doc) as FleetRun);
    },

    async updateRun(next, events) {
      open();
      const row = rowOf({ ...next, version: next.version + 1, updatedAt: now().toISOString() });
      db.transaction(() => {
        if (compareAndSwap.run({ ...row, expected: next.version }).changes === 0) {
          const current = byId.get(next.id);
          if (!current) throw new NotFoundError('fleet run', next.id);
          throw staleRunWriteError(next.id, next.version, current.version);
        }
        append(row.id, events);
      })();
      return committed(row);
    },

    async runEvents(runId, afterSeq = 0) {
      open();
      return eventsAfter.all(runId, afterSeq).map(eventOf);
    },

    watchRun(runId, listener) {
      return bus.watch(runId, listener);
    },
  };
}

function rowOf(run: FleetRun): RunRow {
  return {
    id: run.id,
    state: run.state,
    active: isFinishedRun(run) ? 0 : 1,
    version: run.version,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    doc: JSON.stringify(run),
  };
}

function eventOf(row: FleetEventRow): FleetEvent {
  const { seq, run_id: runId, at, message, actor } = row;
  const type = row.type as FleetEvent['type'];
  return row.data === null
    ? { seq, runId, at, type, message, actor }
    : { seq, runId, at, type, message, actor, data: JSON.parse(row.data) as Record<string, unknown> };
}
