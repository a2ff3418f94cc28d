/**
 * The shift-traffic stage's use of the traffic probe (plan.probe): started at the step's check, before
 * the weight write; read on every later pass of the step, its counts saved each time; judged against
 * the error budget; stopped when the step ends or fails. The engine stops it when the promotion
 * pauses, rolls back or ends (src/providers/probe/registry.ts).
 */
import {
  beginStepProbe,
  overBudget,
  type StepProbe,
  type StepProbeSummary,
  summarizeProbe,
  updateStepProbe,
} from '../src/analysis/probe-evidence.js';
import type { ProbePart } from '../src/domain/probe.js';
import type { StageContext } from '../src/domain/stage.js';

/** Kept in the stage's saved status. */
export interface ProbeProgress {
  /** The current step's probe, from before its write to the end of its bake. */
  readonly probe?: StepProbe;
  /** What the probes of finished steps found, oldest first. */
  readonly probed?: readonly StepProbeSummary[];
}

/** What a pass's look at the probe says. */
export type ProbeLook =
  | { readonly kind: 'within-budget'; readonly probe?: StepProbe }
  | { readonly kind: 'over-budget'; readonly message: string };

export function probeKey(promotionId: string, stepIndex: number): string {
  return `${promotionId}/${stepIndex}`;
}

/**
 * At the step's check: the step's probe started (or the running one kept), so it covers the write.
 * Undefined when the plan has no probe.
 */
export function startStepProbe(
  context: StageContext,
  stepIndex: number,
  green: number,
  saved: StepProbe | undefined,
): StepProbe | undefined {
  const { promotion, providers, now } = context;
  const spec = promotion.plan.probe;
  if (spec === undefined || providers.probes === undefined) return undefined;
  const reading = providers.probes.start({
    key: probeKey(promotion.id, stepIndex),
    promotionId: promotion.id,
    spec,
    clusters: { blue: promotion.blue.name, green: promotion.green.name },
    part: 'write',
  });
  // Back at the check of the same step (an approval, a retried readiness check): the evidence goes on.
  if (saved !== undefined && saved.intended.green === green)
    return updateStepProbe(spec, saved, reading, now);
  return beginStepProbe(spec, reading, { before: promotion.traffic.green, green }, now);
}

/**
 * On every pass after the check: the probe's counts added to what was saved, judged against the error
 * budget. A probe the controller lost (it restarted) is started again, and the gap is recorded. With
 * `verified`, the router has just confirmed the step's weight: later requests count as the bake's.
 */
export async function lookAtStepProbe(
  context: StageContext,
  stepIndex: number,
  green: number,
  saved: StepProbe | undefined,
  options: { readonly verified?: boolean } = {},
): Promise<ProbeLook> {
  const { promotion, providers, now } = context;
  const spec = promotion.plan.probe;
  const probes = providers.probes;
  if (spec === undefined || probes === undefined) return { kind: 'within-budget' };
  const key = probeKey(promotion.id, stepIndex);
  const part: ProbePart = options.verified || saved?.verifiedAt !== undefined ? 'bake' : 'write';
  const reading =
    probes.read(key) ??
    probes.start({
      key,
      promotionId: promotion.id,
      spec,
      clusters: { blue: promotion.blue.name, green: promotion.green.name },
      part,
    });
  if (options.verified) probes.verified(key);
  let probe =
    saved === undefined
      ? beginStepProbe(spec, reading, { before: promotion.traffic.green, green }, now)
      : updateStepProbe(spec, saved, reading, now);
  if (options.verified) probe = { ...probe, verifiedAt: now.toISOString() };
  const over = overBudget(probe);
  if (over !== undefined) {
    await probes.stop(key);
    return { kind: 'over-budget', message: over };
  }
  return { kind: 'within-budget', probe };
}

/** At the end of the step's bake: the probe stopped, its last counts taken, and the step summarised. */
export async function finishStepProbe(
  context: StageContext,
  stepIndex: number,
  progress: ProbeProgress,
): Promise<ProbeLook & { readonly probed?: readonly StepProbeSummary[] }> {
  const { promotion, providers, now } = context;
  const spec = promotion.plan.probe;
  const saved = progress.probe;
  if (spec === undefined || providers.probes === undefined || saved === undefined) {
    return { kind: 'within-budget', ...(progress.probed && { probed: progress.probed }) };
  }
  const reading = await providers.probes.stop(probeKey(promotion.id, stepIndex));
  const probe = reading === undefined ? saved : updateStepProbe(spec, saved, reading, now);
  const over = overBudget(probe);
  if (over !== undefined) return { kind: 'over-budget', message: over };
  return {
    kind: 'within-budget',
    probe,
    probed: [...(progress.probed ?? []), summarizeProbe(stepIndex, probe)],
  };
}
