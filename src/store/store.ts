import type { NewEvent, Promotion, PromotionEvent, PromotionPhase } from '../domain/promotion.js';
import type { PlatformRecord } from '../domain/slots.js';
import type { ChangeListener } from './changes.js';
import type { FleetRunStore } from './fleet-store.js';

/** One mutating API request: who asked for what, when, and how it ended. */
export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  /** e.g. "POST /v1/promotions/p-1/rollback" */
  readonly action: string;
  readonly promotionId?: string;
  readonly status: number;
  readonly outcome: 'ok' | 'refused' | 'failed';
  readonly detail?: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'>;

export interface PromotionFilter {
  readonly platform?: string;
  readonly phase?: PromotionPhase;
  /** Newest first; at most this many (default 50). */
  readonly limit?: number;
  /** Skip this many of the newest first. */
  readonly offset?: number;
}

/** Which of a promotion's events to read: a page, so a long log is never read whole for one answer. */
export interface EventPageRequest {
  /** Events after this seq, oldest first (page forward from 0); absent: the newest `limit`. */
  readonly afterSeq?: number;
  readonly limit: number;
}

export interface EventPage {
  /** In seq order. */
  readonly events: PromotionEvent[];
  /** How many events the promotion has in all. */
  readonly total: number;
}

/**
 * Durable promotion records and their append-only event logs. Async even where the backing store is
 * synchronous, so a Kubernetes-backed store fits the same interface.
 *
 * Writes are compare-and-swap: `update` succeeds only when the stored version equals `next.version`,
 * stores `next` with version + 1, and appends the events in the same transaction. A stale write gets a
 * ConflictError and changes nothing.
 */
export interface PromotionStore {
  /** The fleet runs kept beside the promotions (same file, memory or namespace). */
  readonly fleets: FleetRunStore;
  /**
   * Stores a new promotion (its version becomes 1) with its first events. Throws
   * ActivePromotionExistsError when the platform already has an unfinished promotion.
   */
  create(promotion: Promotion, events: readonly NewEvent[]): Promise<Promotion>;
  get(id: string): Promise<Promotion | undefined>;
  list(filter?: PromotionFilter): Promise<Promotion[]>;
  /** Every unfinished promotion, oldest first: what the reconciler drives. */
  active(): Promise<Promotion[]>;
  /** The platform's unfinished promotion, or else its most recent one. */
  latestForPlatform(platform: string): Promise<Promotion | undefined>;
  update(next: Promotion, events: readonly NewEvent[]): Promise<Promotion>;
  /** Appends events without changing the record (audit entries of refused requests, for example). */
  appendEvents(promotionId: string, events: readonly NewEvent[]): Promise<void>;
  /** Events in order; with `afterSeq`, only those after it (for live streams). */
  events(promotionId: string, afterSeq?: number): Promise<PromotionEvent[]>;
  /** One page of the promotion's events (an unknown promotion has none). */
  eventPage(promotionId: string, request: EventPageRequest): Promise<EventPage>;
  /**
   * Calls `listener` after every committed write that changed the promotion or appended to its events
   * (never for a write that failed); returns what stops it. Listeners are told, then read the store.
   */
  watch(promotionId: string, listener: ChangeListener): () => void;
  /** The platform's record, or undefined before the platform was first seen. */
  platform(name: string): Promise<PlatformRecord | undefined>;
  /**
   * Stores the record unless the platform has one already, and returns the stored one: the first
   * record wins, so a changed config never moves the live slot.
   */
  recordPlatform(
    record: PlatformRecord,
  ): Promise<{ readonly record: PlatformRecord; readonly created: boolean }>;
  /** Appends to the audit log (append-only; kept even when the request concerned no promotion). */
  appendAudit(entry: NewAuditEntry): Promise<void>;
  /** Audit entries, newest first. */
  audit(limit?: number): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
