/**
 * A promotion's event log as the Kubernetes store keeps it: the newest events in the Promotion's status
 * (written with the record, so the two never disagree), the older ones sealed in immutable ConfigMaps of
 * exactly `size` events each, chunk k holding seqs (k-1)·size+1 … k·size. Seqs are per promotion and
 * contiguous from 1, so which chunks hold a range of seqs is arithmetic. Pure: no API calls here.
 */
import type { NewEvent, PromotionEvent } from '../../domain/promotion.js';

export const defaultEventsPerChunk = 100;

/** The new events as stored: numbered from `nextSeq` on, stamped `at`. */
export function numbered(
  promotionId: string,
  nextSeq: number,
  at: string,
  events: readonly NewEvent[],
): PromotionEvent[] {
  return events.map((e, i) => {
    const event: PromotionEvent = {
      seq: nextSeq + i,
      promotionId,
      at,
      type: e.type,
      message: e.message,
      actor: e.actor,
    };
    // A JSON round trip, as in the other stores: the caller's objects are never shared with what is stored.
    return JSON.parse(JSON.stringify(e.data === undefined ? event : { ...event, data: e.data }));
  });
}

export interface Chunk<T = PromotionEvent> {
  /** From 1. */
  readonly index: number;
  readonly events: readonly T[];
}

/**
 * The chunks to seal out of a committed tail before the next write: every full `size` events from its
 * start. Only committed events are sealed, so a chunk left behind by a write that then lost its
 * compare-and-swap (or crashed) holds exactly what the next writer would seal.
 */
export function chunksToSeal<T>(tail: readonly T[], sealedChunks: number, size: number): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  for (let start = 0; tail.length - start >= size; start += size) {
    const index = sealedChunks + chunks.length + 1;
    chunks.push({ index, events: tail.slice(start, start + size) });
  }
  return chunks;
}

/** The chunks (indexes from 1) that hold any of the seqs from `from` to `to`, both included. */
export function chunksHolding(from: number, to: number, sealedChunks: number, size: number): number[] {
  const first = Math.max(1, Math.ceil(from / size));
  const last = Math.min(sealedChunks, Math.ceil(to / size));
  const indexes: number[] = [];
  for (let k = first; k <= last; k++) indexes.push(k);
  return indexes;
}

/** Entries from several sources (chunks, the tail) in seq order, each seq once. */
export function mergeBySeq<T extends { readonly seq: number }>(...sources: readonly (readonly T[])[]): T[] {
  const bySeq = new Map<number, T>();
  for (const source of sources) for (const event of source) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
