import type { Promotion } from '../domain/promotion.js';
import { pendingStages } from '../domain/stages.js';

/**
 * Brings a stored promotion written by an earlier Switchyard up to today's shape, on every read, so
 * old records keep loading and running. Only ever add steps: a record may be many versions old.
 */
export function upgradePromotion(stored: unknown): Promotion {
  const record = stored as Promotion & {
    blue: { name: string; slot?: Promotion['blue']['slot'] };
    green: { name: string; adopted: boolean; slot?: Promotion['green']['slot'] };
  };
  return withAllStages(withSlots(record));
}

/** Before slots, a platform file named one fixed blue and one fixed green: they are slots a and b. */
function withSlots(
  record: Promotion & {
    blue: { name: string; slot?: Promotion['blue']['slot'] };
    green: { name: string; adopted: boolean; slot?: Promotion['green']['slot'] };
  },
): Promotion {
  if (record.blue.slot !== undefined && record.green.slot !== undefined) return record;
  return { ...record, blue: { ...record.blue, slot: 'a' }, green: { ...record.green, slot: 'b' } };
}

/**
 * A stage added after the record was written has no status in it: it has not run, so it is pending,
 * and the promotion reaches it in order like any other.
 */
function withAllStages(record: Promotion): Promotion {
  const stages: Partial<Promotion['stages']> = record.stages;
  const pending = pendingStages();
  const missing = Object.keys(pending).filter((name) => !(name in stages));
  if (missing.length === 0) return record;
  return { ...record, stages: { ...pending, ...record.stages } };
}
