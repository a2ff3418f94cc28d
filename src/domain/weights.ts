import { InvalidInputError } from './errors.js';

/**
 * Traffic is described by one number: the percent sent to green (0–100); blue gets the rest. Blue and
 * green can therefore never both be zero; an all-zero weight group, which Route 53 treats as "split
 * evenly", cannot be expressed.
 */
export type GreenPercent = number & { readonly __brand: 'GreenPercent' };

export const allBlue = 0 as GreenPercent;
export const allGreen = 100 as GreenPercent;

export function greenPercent(value: number, field = 'green'): GreenPercent {
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new InvalidInputError(field, `must be a whole percent from 0 to 100, got ${value}`);
  }
  return value as GreenPercent;
}

/** Provider weights for the two sides of a weighted pair. */
export interface SideWeights {
  readonly blue: number;
  readonly green: number;
}

/** Route 53 weights are 0–255 per record; percent values fit exactly and sum to 100. */
export function toRoute53Weights(green: GreenPercent): SideWeights {
  return { blue: 100 - green, green };
}

export const maxAlbWeight = 999;

/**
 * ALB target group weights are 0–999. Tenths of a percent keep the ratio exact; at 0% and 100% the one
 * non-zero side is 999 rather than 1000 (which AWS rejects), and the split is still exact.
 */
export function toAlbWeights(green: GreenPercent): SideWeights {
  return { blue: Math.min((100 - green) * 10, maxAlbWeight), green: Math.min(green * 10, maxAlbWeight) };
}

/**
 * Reads a weight pair back as a percent to green. Returns undefined for the all-zero pair, which no
 * provider splits the way the numbers suggest, so callers must treat it as a broken state.
 */
export function percentFromWeights(weights: SideWeights): GreenPercent | undefined {
  const total = weights.blue + weights.green;
  if (total <= 0) return undefined;
  return Math.round((weights.green / total) * 100) as GreenPercent;
}

/** The percents a stepped rollback moves through, from `from` down to all blue. */
export function steppedRollbackPath(from: GreenPercent, steps: readonly number[]): GreenPercent[] {
  const lower = steps.filter((s) => s < from).sort((a, b) => b - a);
  return [...lower.filter((s) => s > 0), 0].map((s) => s as GreenPercent);
}
