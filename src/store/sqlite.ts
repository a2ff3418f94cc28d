import Database from 'better-sqlite3';
import { ActivePromotionExistsError, NotFoundError } from '../domain/errors.js';
import { isFinished, type NewEvent, type Promotion, type PromotionEvent } from '../domain/promotion.js';
import type { PlatformRecord } from '../domain/slots.js';
import { type ChangeBus, createChangeBus } from './changes.js';
import { closedStoreError, duplicateIdError, StoreLockedError, staleWriteError } from './errors.js';
import { eventPageOf, pageOf } from './paging.js';
import { migrate } from './schema.js';
import { sqliteFleetStore } from './sqlite-fleets.js';
import type { AuditEntry, PromotionStore } from './store.js';
import { upgradePromotion } from './upgrade.js';

interface PromotionRow {
  readonly id: string;
  readonly platform: string;
  readonly phase: string;
  readonly active: 0 | 1;
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly doc: string;
}

interface EventRow {
  readonly seq: number;
  readonly promotion_id: string;
  readonly at: string;
  readonly type: string;
  readonly message: string;
  readonly actor: string;
  readonly data: string | null;
}

/**
 * A PromotionStore in one SQLite file. Opening it takes an exclusive lock for the connection's lifetime,
 * so a second controller on the same file fails with StoreLockedError instead of fighting the first.
 */
export function openSqliteStore(
  path: string,
  options?: { now?: () => Date; bus?: ChangeBus },
): PromotionStore {
  const now = options?.now ?? (() => new Date());
  // In process is complete here: the exclusive lock means every write to this file passes through us.
  const bus = options?.bus ?? createChangeBus();
  const db = lockDatabase(path, now);

  const insertAudit = db.prepare<Omit<AuditRow, 'seq'>>(
    `INSERT INTO audit (at, actor, action, promotion_id, status, outcome, detail)
     VALUES (@at, @actor, @action, @promotion_id, @status, @outcome, @detail)`,
  );
  const auditNewestFirst = db.prepare<[number], AuditRow>('SELECT * FROM audit ORDER BY seq DESC LIMIT ?');
  const insert = db.prepare<PromotionRow>(
    `INSERT INTO promotions (id, platform, phase, active, version, created_at, updated_at, doc)
     VALUES (@id, @platform, @phase, @active, @version, @created_at, @updated_at, @doc)`,
  );
  const compareAndSwap = db.prepare<PromotionRow & { readonly expected: number }>(
    `UPDATE promotions SET platform = @platform, phase = @phase, active = @active, version = @version,
       created_at = @created_at, updated_at = @updated_at, doc = @doc
     WHERE id = @id AND version = @expected`,
  );
  const byId = db.prepare<[string], { doc: string; version: number }>(
    'SELECT doc, version FROM promotions WHERE id = ?',
  );
  const activeIdOf = db.prepare<[string], { id: string }>(
    'SELECT id FROM promotions WHERE platform = ? AND active = 1',
  );
  // rowid only grows (rows are never deleted), so it orders promotions created in the same millisecond.
  const listed = db.prepare<
    { platform: string | null; phase: string | null; limit: number; offset: number },
    { doc: string }
  >(
    `SELECT doc FROM promotions
     WHERE (@platform IS NULL OR platform = @platform) AND (@phase IS NULL OR phase = @phase)
     ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
  );
  const activeAll = db.prepare<[], { doc: string }>(
    'SELECT doc FROM promotions WHERE active = 1 ORDER BY created_at, rowid',
  );
  const latest = db.prepare<[string], { doc: string }>(
    'SELECT doc FROM promotions WHERE platform = ? ORDER BY active DESC, created_at DESC, rowid DESC LIMIT 1',
  );
  const insertPlatform = db.prepare<[string, string, string]>(
    'INSERT INTO platforms (name, first_seen_at, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const platformByName = db.prepare<[string], { doc: string }>('SELECT doc FROM platforms WHERE name = ?');
  const insertEvent = db.prepare<[string, string, string, string, string, string | null]>(
    'INSERT INTO events (promotion_id, at, type, message, actor, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const eventsAfter = db.prepare<[string, number], EventRow>(
    'SELECT * FROM events WHERE promotion_id = ? AND seq > ? ORDER BY seq',
  );
  // Pages walk the (promotion_id, seq) index: a page costs its own rows, not the whole log.
  const pageAfter = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM events WHERE promotion_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  // Newest first straight off the index (no sort); put back in seq order in JS.
  const newestPage = db.prepare<[string, number], EventRow>(
    'SELECT * FROM events WHERE promotion_id = ? ORDER BY seq DESC LIMIT ?',
  );
  const eventCount = db.prepare<[string], { total: number }>(
    'SELECT count(*) AS total FROM events WHERE promotion_id = ?',
  );

  function open(): void {
    if (!db.open) throw closedStoreError();
  }

  function append(promotionId: string, events: readonly NewEvent[]): void {
    const at = now().toISOString();
    for (const e of events) {
      const data = e.data === undefined ? null : JSON.stringify(e.data);
      insertEvent.run(promotionId, at, e.type, e.message, e.actor, data);
    }
  }

  /** Turns the unique-index violation into the domain error naming the promotion that holds the platform. */
  function activeConflict(error: unknown, platform: string): unknown {
    if (!isSqliteError(error, /^SQLITE_CONSTRAINT_UNIQUE$/)) return error;
    const holder = activeIdOf.get(platform);
    return holder ? new ActivePromotionExistsError(platform, holder.id) : error;
  }

  return {
    fleets: sqliteFleetStore(db, { now, open }),

    async create(promotion, events) {
      open();
      const row = rowOf({ ...promotion, version: 1 });
      try {
        db.transaction(() => {
          insert.run(row);
          append(row.id, events);
        })();
      } catch (error) {
        // Asked rather than read from the error code: when the id and the platform both clash, SQLite
        // reports whichever index it checked first, and the duplicate id is the answer callers expect.
        if (isSqliteError(error, /^SQLITE_CONSTRAINT/) && byId.get(row.id)) throw duplicateIdError(row.id);
        throw activeConflict(error, row.platform);
      }
      bus.publish({ promotionId: row.id, finished: row.active === 0 });
      return upgradePromotion(JSON.parse(row.doc));
    },

    async get(id) {
      open();
      return parse(byId.get(id));
    },

    async list(filter) {
      open();
      const page = pageOf(filter);
      const rows = listed.all({ platform: filter?.platform ?? null, phase: filter?.phase ?? null, ...page });
      return rows.map((r) => upgradePromotion(JSON.parse(r.doc)));
    },

    async active() {
      open();
      return activeAll.all().map((r) => upgradePromotion(JSON.parse(r.doc)));
    },

    async latestForPlatform(platform) {
      open();
      return parse(latest.get(platform));
    },

    async update(next, events) {
      open();
      const row = rowOf({ ...next, version: next.version + 1, updatedAt: now().toISOString() });
      try {
        db.transaction(() => {
          if (compareAndSwap.run({ ...row, expected: next.version }).changes === 0) {
            const current = byId.get(next.id);
            if (!current) throw new NotFoundError('promotion', next.id);
            throw staleWriteError(next.id, next.version, current.version);
          }
          append(row.id, events);
        })();
      } catch (error) {
        throw activeConflict(error, row.platform);
      }
      bus.publish({ promotionId: row.id, finished: row.active === 0 });
      return upgradePromotion(JSON.parse(row.doc));
    },

    async appendEvents(promotionId, events) {
      open();
      db.transaction(() => {
        if (!byId.get(promotionId)) throw new NotFoundError('promotion', promotionId);
        append(promotionId, events);
      })();
      if (events.length > 0) bus.publish({ promotionId, finished: false });
    },

    async events(promotionId, afterSeq = 0) {
      open();
      return eventsAfter.all(promotionId, afterSeq).map(eventOf);
    },

    async eventPage(promotionId, request) {
      open();
      const { afterSeq, limit } = eventPageOf(request);
      if (afterSeq === undefined) {
        const rows = newestPage.all(promotionId, limit).reverse();
        // A newest page with room to spare holds every event: no need to count them.
        const total = rows.length < limit ? rows.length : (eventCount.get(promotionId)?.total ?? 0);
        return { events: rows.map(eventOf), total };
      }
      const rows = pageAfter.all(promotionId, afterSeq, limit);
      return { events: rows.map(eventOf), total: eventCount.get(promotionId)?.total ?? 0 };
    },

    watch(promotionId, listener) {
      return bus.watch(promotionId, listener);
    },

    async platform(name) {
      open();
      const row = platformByName.get(name);
      return row && (JSON.parse(row.doc) as PlatformRecord);
    },

    async recordPlatform(record) {
      open();
      const created =
        insertPlatform.run(record.name, record.firstSeenAt, JSON.stringify(record)).changes === 1;
      const row = platformByName.get(record.name);
      if (!row) throw new Error(`platform ${record.name} was not stored`);
      return { record: JSON.parse(row.doc) as PlatformRecord, created };
    },

    async appendAudit(entry) {
      open();
      insertAudit.run({
        at: now().toISOString(),
        actor: entry.actor,
        action: entry.action,
        promotion_id: entry.promotionId ?? null,
        status: entry.status,
        outcome: entry.outcome,
        detail: entry.detail ?? null,
      });
    },

    async audit(limit = 100) {
      open();
      return auditNewestFirst.all(limit).map(auditOf);
    },

    async close() {
      if (db.open) db.close();
    },
  };
}

interface AuditRow {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly promotion_id: string | null;
  readonly status: number;
  readonly outcome: AuditEntry['outcome'];
  readonly detail: string | null;
}

function auditOf(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    status: row.status,
    outcome: row.outcome,
    ...(row.promotion_id === null ? {} : { promotionId: row.promotion_id }),
    ...(row.detail === null ? {} : { detail: row.detail }),
  };
}

/**
 * Opens the file and takes SQLite's own exclusive lock, which the OS drops when the process dies (even
 * by SIGKILL), so a crashed controller never leaves a stale lock behind.
 */
function lockDatabase(path: string, now: () => Date): Database.Database {
  // timeout 0: a held lock must fail at once rather than after better-sqlite3's default 5 s wait. It stays
  // 0 afterwards: once we hold the exclusive lock nobody else can make us wait.
  const db = new Database(path, { timeout: 0 });
  try {
    // EXCLUSIVE before WAL: WAL then keeps its index in heap memory instead of a shared -shm file, and
    // the lock taken by the first write below is held until close.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // Few, important writes: pay the fsync so a committed transition survives a power cut.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      migrate(db);
      db.prepare(
        `INSERT INTO controller (id, pid, started_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at`,
      ).run(process.pid, now().toISOString());
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    if (isSqliteError(error, /^SQLITE_(BUSY|LOCKED)/)) throw new StoreLockedError(path, { cause: error });
    throw error;
  }
}

function rowOf(p: Promotion): PromotionRow {
  return {
    id: p.id,
    platform: p.platform,
    phase: p.phase,
    active: isFinished(p) ? 0 : 1,
    version: p.version,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    doc: JSON.stringify(p),
  };
}

function parse(row: { doc: string } | undefined): Promotion | undefined {
  return row && upgradePromotion(JSON.parse(row.doc));
}

function eventOf(row: EventRow): PromotionEvent {
  const { seq, promotion_id: promotionId, at, type, message, actor } = row;
  return row.data === null
    ? { seq, promotionId, at, type, message, actor }
    : { seq, promotionId, at, type, message, actor, data: JSON.parse(row.data) as Record<string, unknown> };
}

function isSqliteError(error: unknown, code: RegExp): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError && code.test(error.code);
}
