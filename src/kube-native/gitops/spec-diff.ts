/**
 * What a spec edit asks for: the difference between the action fields last acted on and the current
 * ones, as the REST calls that do the same. Pure; the spec controller carries the actions out.
 */
import type { SpecActionFields } from './observed-spec.js';

export type SpecAction =
  | { readonly kind: 'rollback'; readonly request: NonNullable<SpecActionFields['rollback']> }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'weight'; readonly green: number };

/**
 * The actions that take `observed` to `current`, in the order to run them:
 * - a rollback newly present is the only action: it interrupts everything else (a rollback cannot be
 *   paused and owns the weights), and the CRD refuses withdrawing or changing one;
 * - otherwise resume first (a resume with a manual weight still being applied is refused), then the
 *   weight (which pauses automatic stepping itself, so a pause asked for with it adds nothing), then
 *   a pause.
 * A removed weight asks for nothing: the manual weight stays until someone resumes.
 */
export function specActions(observed: SpecActionFields, current: SpecActionFields): SpecAction[] {
  if (current.rollback !== undefined && observed.rollback === undefined) {
    return [{ kind: 'rollback', request: current.rollback }];
  }
  const wasPaused = observed.paused === true;
  const isPaused = current.paused === true;
  const weight = current.weight?.green;
  const weightChanged = weight !== undefined && weight !== observed.weight?.green;
  const actions: SpecAction[] = [];
  if (wasPaused && !isPaused) actions.push({ kind: 'resume' });
  if (weightChanged) actions.push({ kind: 'weight', green: weight });
  if (!wasPaused && isPaused && !weightChanged) actions.push({ kind: 'pause' });
  return actions;
}

/** The spec's action fields, compared against nothing: what a newly accepted request asks for. */
export const nothingObserved: SpecActionFields = {};
