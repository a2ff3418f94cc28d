/**
 * One weight move, decided once for every caller (a traffic step, a manual weight, a rollback step):
 * what the router shows, whether it must be written to reach the target, and which side gains traffic
 * (that side must be ready first). And one way to record a verified weight.
 */
import type { TrafficReading } from './ports.js';
import type { NewEvent, TrafficState, WeightChange } from './promotion.js';
import type { GreenPercent } from './weights.js';

export type Side = 'blue' | 'green';

export interface WeightDecision {
  /** Percent to green the router shows now; undefined when it holds something not to interpret. */
  readonly current: GreenPercent | undefined;
  /** True when the router must be written to reach the target. */
  readonly write: boolean;
  /** The sides that gain traffic with the write; each must be ready before it. Empty without a write. */
  readonly gaining: readonly Side[];
  /** The reading this was decided from; the write builds on it. */
  readonly reading: TrafficReading;
}

export function decideWeightMove(reading: TrafficReading, target: GreenPercent): WeightDecision {
  // The original unweighted record sends everything to blue: it is "0 % to green".
  const current = reading.kind === 'unweighted' ? (0 as GreenPercent) : reading.green;
  if (current === target) return { current, write: false, gaining: [], reading };
  return { current, write: true, gaining: sidesGaining(current, target), reading };
}

/**
 * The sides that gain traffic moving from `current` to `target`. An unknown split (undefined) counts
 * every side that will hold traffic.
 */
export function sidesGaining(current: GreenPercent | undefined, target: GreenPercent): readonly Side[] {
  if (current === target) return [];
  if (current !== undefined) return [target > current ? 'green' : 'blue'];
  const sides: Side[] = [];
  if (target < 100) sides.push('blue');
  if (target > 0) sides.push('green');
  return sides;
}

/** The traffic state with a verified weight recorded in its history, and the event that says so. */
export function recordVerifiedWeight(
  traffic: TrafficState,
  change: Pick<WeightChange, 'green' | 'reason' | 'by'>,
  at: string,
): { readonly traffic: TrafficState; readonly event: NewEvent } {
  const how = change.reason === 'step' ? '' : ` (${change.reason})`;
  return {
    traffic: { ...traffic, green: change.green, history: [...traffic.history, { at, ...change }] },
    event: {
      type: 'traffic.verified',
      actor: change.reason === 'manual' ? change.by : 'switchyard',
      message: `${change.green}% to green verified at the router${how}`,
      data: { green: change.green, reason: change.reason },
    },
  };
}
