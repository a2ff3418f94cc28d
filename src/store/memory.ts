import { ActivePromotionExistsError, NotFoundError } from '../domain/errors.js';
import { isFinished, type NewEvent, type Promotion, type PromotionEvent } from '../domain/promotion.js';
import type { PlatformRecord } from '../domain/slots.js';
import { type ChangeBus, createChangeBus } from './changes.js';
import { closedStoreError, duplicateIdError, staleWriteError } from './errors.js';
import { createMemoryFleetStore } from './memory-fleets.js';
import { eventPageOf, pageOf } from './paging.js';
import type { AuditEntry, PromotionFilter, PromotionStore } from './store.js';

/**
 * A PromotionStore in process memory for unit tests, with the SQLite store's semantics (the shared
 * contract suite runs against both). Records go in and out through a JSON round trip, exactly as they
 * do through SQLite's `doc` column, so callers cannot mutate stored state and no test passes here that
 * would fail on disk (a Date or an `undefined` field comes back the way SQLite would return it).
 */
export function createMemoryStore(options?: { now?: () => Date; bus?: ChangeBus }): PromotionStore {
  const now = options?.now ?? (() => new Date());
  const bus = options?.bus ?? createChangeBus();
  // Map iteration follows insertion order, which breaks createdAt ties like SQLite's rowid does.
  const records = new Map<string, Promotion>();
  const log: PromotionEvent[] = [];
  const auditLog: AuditEntry[] = [];
  const platforms = new Map<string, PlatformRecord>();
  let lastSeq = 0;
  let closed = false;

  function open(): void {
    if (closed) throw closedStoreError();
  }

  function activeOf(platform: string): Promotion | undefined {
    for (const p of records.values()) if (p.platform === platform && !isFinished(p)) return p;
    return undefined;
  }

  function append(promotionId: string, events: readonly NewEvent[]): void {
    const at = now().toISOString();
    for (const e of events) {
      const event: PromotionEvent = {
        seq: ++lastSeq,
        promotionId,
        at,
        type: e.type,
        message: e.message,
        actor: e.actor,
      };
      log.push(copy(e.data === undefined ? event : { ...event, data: e.data }));
    }
  }

  function newestFirst(): Promotion[] {
    // reverse() then a stable sort: equal createdAt keeps the later insert first.
    return [...records.values()].reverse().sort((a, b) => compare(b.createdAt, a.createdAt));
  }

  return {
    fleets: createMemoryFleetStore({ now, open }),

    async create(promotion, events) {
      open();
      if (records.has(promotion.id)) throw duplicateIdError(promotion.id);
      const active = isFinished(promotion) ? undefined : activeOf(promotion.platform);
      if (active) throw new ActivePromotionExistsError(promotion.platform, active.id);
      const stored = copy({ ...promotion, version: 1 });
      records.set(stored.id, stored);
      append(stored.id, events);
      bus.publish({ promotionId: stored.id, finished: isFinished(stored) });
      return copy(stored);
    },

    async get(id) {
      open();
      const found = records.get(id);
      return found && copy(found);
    },

    async list(filter?: PromotionFilter) {
      open();
      const { limit, offset } = pageOf(filter);
      return newestFirst()
        .filter((p) => filter?.platform === undefined || p.platform === filter.platform)
        .filter((p) => filter?.phase === undefined || p.phase === filter.phase)
        .slice(offset, offset + limit)
        .map(copy);
    },

    async active() {
      open();
      return [...records.values()]
        .filter((p) => !isFinished(p))
        .sort((a, b) => compare(a.createdAt, b.createdAt))
        .map(copy);
    },

    async latestForPlatform(platform) {
      open();
      const found = activeOf(platform) ?? newestFirst().find((p) => p.platform === platform);
      return found && copy(found);
    },

    async update(next, events) {
      open();
      const current = records.get(next.id);
      if (!current) throw new NotFoundError('promotion', next.id);
      if (current.version !== next.version) throw staleWriteError(next.id, next.version, current.version);
      const active = isFinished(next) ? undefined : activeOf(next.platform);
      if (active && active.id !== next.id) throw new ActivePromotionExistsError(next.platform, active.id);
      const stored = copy({ ...next, version: next.version + 1, updatedAt: now().toISOString() });
      records.set(stored.id, stored);
      append(stored.id, events);
      bus.publish({ promotionId: stored.id, finished: isFinished(stored) });
      return copy(stored);
    },

    async appendEvents(promotionId, events) {
      open();
      if (!records.has(promotionId)) throw new NotFoundError('promotion', promotionId);
      append(promotionId, events);
      if (events.length > 0) bus.publish({ promotionId, finished: false });
    },

    async events(promotionId, afterSeq = 0) {
      open();
      return log.filter((e) => e.promotionId === promotionId && e.seq > afterSeq).map(copy);
    },

    async eventPage(promotionId, request) {
      open();
      const { afterSeq, limit } = eventPageOf(request);
      const all = log.filter((e) => e.promotionId === promotionId);
      const page =
        afterSeq === undefined
          ? all.slice(Math.max(0, all.length - limit))
          : all.filter((e) => e.seq > afterSeq).slice(0, limit);
      return { events: page.map(copy), total: all.length };
    },

    watch(promotionId, listener) {
      return bus.watch(promotionId, listener);
    },

    async platform(name) {
      open();
      const found = platforms.get(name);
      return found && copy(found);
    },

    async recordPlatform(record) {
      open();
      const existing = platforms.get(record.name);
      if (existing) return { record: copy(existing), created: false };
      platforms.set(record.name, copy(record));
      return { record: copy(record), created: true };
    },

    async appendAudit(entry) {
      open();
      auditLog.push(copy({ ...entry, seq: auditLog.length + 1, at: now().toISOString() }));
    },

    async audit(limit = 100) {
      open();
      return auditLog.slice(-limit).reverse().map(copy);
    },

    async close() {
      closed = true;
    },
  };
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
