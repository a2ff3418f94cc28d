import type { StageContext } from '../src/domain/stage.js';

/**
 * Looks in a row that must find green degraded before its step fails: one look can catch a pod being
 * replaced or a list made mid-update; two polls apart it is a degradation, not a blip.
 */
export const degradedLooksToFail = 2;

/** What the watch of green saw last while the step baked. Saved with the step's progress. */
export interface GreenWatch {
  readonly at: string;
  readonly serving: boolean;
  readonly message: string;
  /** Consecutive looks that found green degraded (0 while it serves well). */
  readonly degradedLooks: number;
}

export type GreenWatchOutcome =
  | { readonly kind: 'serving'; readonly watch: GreenWatch }
  /** Green stayed degraded for `degradedLooksToFail` looks: the step fails. */
  | { readonly kind: 'degraded'; readonly watch: GreenWatch; readonly message: string };

/**
 * One look at green while a step bakes: its services available and none of their containers failing.
 * Readiness before a weight change is not enough: green can start crash-looping at 50 % and nothing
 * else would notice until the next step.
 */
export async function watchGreen(
  context: StageContext,
  green: number,
  previous: GreenWatch | undefined,
): Promise<GreenWatchOutcome> {
  const { promotion, providers, now } = context;
  const seen = await providers.health.servingHealth(promotion.green);
  const degradedLooks = seen.ready ? 0 : (previous?.degradedLooks ?? 0) + 1;
  const watch: GreenWatch = {
    at: now.toISOString(),
    serving: seen.ready,
    message: seen.message,
    degradedLooks,
  };
  if (degradedLooks < degradedLooksToFail) return { kind: 'serving', watch };
  return {
    kind: 'degraded',
    watch,
    message: `green degraded while baking at ${green}% (${degradedLooks} looks in a row): ${seen.message}`,
  };
}
