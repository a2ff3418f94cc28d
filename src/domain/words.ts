/**
 * The domain's words, each defined once as an `as const` list; types, config schemas, API schemas and
 * CLI options derive from these, so a new value is added in one place.
 */

/** How a rollback moves traffic back: all at once, or through steps (each verified and held). */
export const rollbackModes = ['instant', 'stepped'] as const;
export type RollbackMode = (typeof rollbackModes)[number];

/** What happens to green after a rollback: kept for inspection, or deleted after the drain delay. */
export const greenPolicies = ['keep', 'teardown'] as const;
export type GreenPolicy = (typeof greenPolicies)[number];

/** The rollback executor's steps, in order ('set-weights' is kept for records written before it merged into 'check-blue'). */
export const rollbackSteps = [
  'check-blue',
  'set-weights',
  'verify',
  'bake',
  'drain',
  'teardown',
  'done',
] as const;
export type RollbackStep = (typeof rollbackSteps)[number];

/** A check's outcome; "inconclusive" (no data, a provider error) is never a failure. */
export const verdicts = ['pass', 'fail', 'inconclusive'] as const;
export type Verdict = (typeof verdicts)[number];

/** Every event type a promotion's log holds. */
export const eventTypes = [
  'promotion.created',
  'promotion.paused',
  'promotion.resumed',
  'promotion.succeeded',
  'promotion.abandoned',
  'stage.started',
  'stage.succeeded',
  'stage.retry',
  'stage.failed',
  'gate.opened',
  'gate.approved',
  'traffic.manual',
  'traffic.manual-refused',
  'traffic.verified',
  'rollback.requested',
  'rollback.weights-set',
  'rollback.draining',
  'rollback.warning',
  'rollback.error',
  'rollback.finished',
  'teardown.requested',
  'notify.failed',
] as const;
export type EventType = (typeof eventTypes)[number];
