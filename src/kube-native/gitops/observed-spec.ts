/**
 * What the controller last acted on in a Promotion's spec, kept on the resource itself in an
 * annotation, so spec edits are acted on once (edge-triggered) by whichever replica leads, across
 * restarts: a REST pause is not undone because the spec still says `paused: false`.
 */
import { z } from 'zod';
import { rollbackRequestSchema, trafficSchema } from '../../api/schemas.js';
import type { PromotionSpec } from '../promotion-spec.js';
import type { PromotionResource } from './resource.js';

export const observedSpecAnnotation = 'switchyard.dev/observed-spec';

/** The spec fields that are actions (each the body of a REST call). */
export type SpecActionFields = Pick<PromotionSpec, 'paused' | 'rollback' | 'weight'>;

export interface ObservedSpec extends SpecActionFields {
  /** The metadata.generation acted on: a newer generation is a spec edit not yet acted on. */
  readonly generation: number;
}

const observedSpecSchema = z.object({
  generation: z.number().int().nonnegative(),
  paused: z.boolean().optional(),
  rollback: rollbackRequestSchema.optional(),
  weight: trafficSchema.optional(),
});

/**
 * The observed spec recorded on the resource; undefined when none is (or when someone wrote something
 * unreadable there: then everything in the spec counts as not yet acted on, the safe reading since
 * every action refuses a repeat).
 */
export function observedSpecOf(resource: PromotionResource): ObservedSpec | undefined {
  const text = resource.metadata.annotations?.[observedSpecAnnotation];
  if (text === undefined) return undefined;
  try {
    const parsed = observedSpecSchema.safeParse(JSON.parse(text));
    return parsed.success ? withoutUndefined(parsed.data) : undefined;
  } catch {
    return undefined;
  }
}

/** The record of having acted on `spec` at `generation`. */
export function observedSpec(generation: number, spec: SpecActionFields): ObservedSpec {
  return withoutUndefined({ generation, paused: spec.paused, rollback: spec.rollback, weight: spec.weight });
}

/** The record as the annotation stores it. */
export function observedSpecText(generation: number, spec: SpecActionFields): string {
  return JSON.stringify(observedSpec(generation, spec));
}

/** The later of two records (by generation); either may be missing. */
export function laterObserved(
  a: ObservedSpec | undefined,
  b: ObservedSpec | undefined,
): ObservedSpec | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.generation > a.generation ? b : a;
}

/**
 * What this process marked last on each resource. The watch can deliver a copy from before the mark
 * (the store's own status write, say); acting on it would repeat the action. Kept per object: a resource
 * deleted and applied again under the same name starts afresh.
 */
export class MarkedSpecs {
  readonly #byName = new Map<string, { readonly uid: string | undefined; readonly observed: ObservedSpec }>();

  remember(resource: PromotionResource, observed: ObservedSpec): void {
    this.#byName.set(resource.metadata.name, { uid: resource.metadata.uid, observed });
  }

  of(resource: PromotionResource): ObservedSpec | undefined {
    const marked = this.#byName.get(resource.metadata.name);
    return marked !== undefined && marked.uid === resource.metadata.uid ? marked.observed : undefined;
  }

  forget(name: string): void {
    this.#byName.delete(name);
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
