import type Database from 'better-sqlite3';

/**
 * Migration n takes the schema from `PRAGMA user_version` n to n + 1. Only ever append: a shipped
 * migration may already have run against someone's database.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE promotions (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    phase TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  -- The one-active-promotion-per-platform rule lives here, so no race between check and insert exists.
  CREATE UNIQUE INDEX promotions_one_active_per_platform ON promotions (platform) WHERE active = 1;
  CREATE INDEX promotions_by_platform ON promotions (platform, created_at);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    promotion_id TEXT NOT NULL REFERENCES promotions (id),
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    message TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX events_by_promotion ON events (promotion_id, seq);
  -- The event log is the audit trail: refuse edits even from a stray sqlite3 shell.
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  -- Who holds the database; written at open, which is also what takes the exclusive lock.
  CREATE TABLE controller (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    promotion_id TEXT,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT
  );
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  `,
  `
  -- What a platform was when first seen (its live slot then). The live slot after that is derived from
  -- the promotions that reached decommission, so it can never disagree with them.
  CREATE TABLE platforms (
    name TEXT PRIMARY KEY,
    first_seen_at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  `,
  `
  -- Fleet runs, beside the promotions they create, in the same file under the same lock: the record as
  -- JSON in doc, the columns beside it what lists filter and sort on.
  CREATE TABLE fleet_runs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX fleet_runs_by_created ON fleet_runs (created_at, id);
  CREATE INDEX fleet_runs_active ON fleet_runs (active, created_at, id);

  CREATE TABLE fleet_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES fleet_runs (id),
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    message TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX fleet_events_by_run ON fleet_events (run_id, seq);
  CREATE TRIGGER fleet_events_no_update BEFORE UPDATE ON fleet_events BEGIN SELECT RAISE(ABORT, 'fleet events are append-only'); END;
  CREATE TRIGGER fleet_events_no_delete BEFORE DELETE ON fleet_events BEGIN SELECT RAISE(ABORT, 'fleet events are append-only'); END;
  `,
];

export const schemaVersion = migrations.length;

/** Brings the schema up to date; call inside a write transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > schemaVersion) {
    throw new Error(
      `${db.name} has schema version ${current}, newer than this Switchyard knows (${schemaVersion}); upgrade Switchyard`,
    );
  }
  migrations.slice(current).forEach((sql, i) => {
    db.exec(sql);
    db.pragma(`user_version = ${current + i + 1}`);
  });
}
