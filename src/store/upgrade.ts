import type { Promotion } from '../domain/promotion.js';

/**
 * Brings a stored promotion written by an earlier Switchyard up to today's shape, on every read, so
 * old records keep loading and running. Only ever add steps: a record may be many versions old.
 */
export function upgradePromotion(stored: unknown): Promotion {
  const record = stored as Promotion & {
    blue: { name: string; slot?: Promotion['blue']['slot'] };
    green: { name: string; adopted: boolean; slot?: Promotion['green']['slot'] };
  };
  // Before slots, a platform file named one fixed blue and one fixed green: they are slots a and b.
  if (record.blue.slot === undefined || record.green.slot === undefined) {
    return { ...record, blue: { ...record.blue, slot: 'a' }, green: { ...record.green, slot: 'b' } };
  }
  return record;
}
