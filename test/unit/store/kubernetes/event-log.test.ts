import { describe, expect, it } from 'vitest';
import type { PromotionEvent } from '../../../../src/domain/promotion.js';
import {
  chunksHolding,
  chunksToSeal,
  mergeBySeq,
  numbered,
} from '../../../../src/store/kubernetes/event-log.js';
import { anEvent } from '../fixtures.js';

const at = '2031-03-04T05:06:07.000Z';
const events = (from: number, to: number): PromotionEvent[] =>
  numbered(
    'p-1',
    from,
    at,
    Array.from({ length: to - from + 1 }, (_, i) => anEvent(`e${from + i}`)),
  );

describe('a promotion event log in chunks', () => {
  it('numbers new events from the next seq, as copies', () => {
    const data = { note: 'original' };
    const [first, second] = numbered('p-1', 7, at, [anEvent('a'), anEvent('b', data)]);
    expect(first).toEqual({
      seq: 7,
      promotionId: 'p-1',
      at,
      type: 'a',
      message: 'a happened',
      actor: 'alice',
    });
    expect(second?.seq).toBe(8);
    data.note = 'changed';
    expect(second?.data).toEqual({ note: 'original' });
  });

  it('seals every full chunk at the start of the tail, numbering on from those sealed', () => {
    expect(chunksToSeal(events(9, 11), 2, 4)).toEqual([]);
    const chunks = chunksToSeal(events(9, 18), 2, 4);
    expect(chunks.map((c) => [c.index, c.events.map((e) => e.seq)])).toEqual([
      [3, [9, 10, 11, 12]],
      [4, [13, 14, 15, 16]],
    ]);
  });

  it('names the sealed chunks that hold a range of seqs, and no others', () => {
    // Chunks of 4: 1 holds 1-4, 2 holds 5-8, 3 holds 9-12; seqs after 12 are in the tail.
    expect(chunksHolding(1, 14, 3, 4)).toEqual([1, 2, 3]);
    expect(chunksHolding(5, 8, 3, 4)).toEqual([2]);
    expect(chunksHolding(8, 9, 3, 4)).toEqual([2, 3]);
    expect(chunksHolding(13, 20, 3, 4)).toEqual([]);
    expect(chunksHolding(1, 3, 0, 4)).toEqual([]);
  });

  it('merges chunks and tail by seq, each seq once (a crash leaves both holding some)', () => {
    const merged = mergeBySeq(events(5, 8), events(1, 4), events(3, 6));
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
