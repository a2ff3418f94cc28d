import { takeMeasurement } from '../src/analysis/measure.js';
import {
  analysisGateId,
  dueRuns,
  recordMeasurement,
  type StepAnalysis,
  stepOutcome,
} from '../src/analysis/step.js';
import type { AnalysisSpec } from '../src/domain/plan.js';
import type { StageContext } from '../src/domain/stage.js';

/** What the analysis of a baking step says the stage should do next. */
export type AnalysisStep =
  /** More failures than allowed: the stage fails for good (the engine rolls back or pauses). */
  | { readonly kind: 'failed'; readonly message: string }
  /** More inconclusive measurements than allowed: wait for a person at this gate. */
  | {
      readonly kind: 'gate';
      readonly state: StepAnalysis;
      readonly gate: { readonly id: string; readonly reason: string };
    }
  /** Keep baking; `nextMeasurementAt` is absent once the analysis is complete (passed or accepted). */
  | { readonly kind: 'continue'; readonly state: StepAnalysis; readonly nextMeasurementAt?: number };

/**
 * One run of a baking step's analysis: takes the measurements that are due (one per analysis at most,
 * in the configured order) and judges the step. An approved inconclusive gate means a person accepted
 * the step: nothing more is measured, and the bake runs out its time.
 */
export async function analyseStep(
  context: StageContext,
  stepIndex: number,
  green: number,
  specs: readonly AnalysisSpec[],
  state: StepAnalysis,
): Promise<AnalysisStep> {
  const { now, providers, promotion } = context;
  let current = state;
  if (current.gate !== undefined && current.acceptedAt === undefined) {
    if (!context.isApproved(current.gate)) {
      return { kind: 'gate', state: current, gate: { id: current.gate, reason: gateReason(green, '') } };
    }
    current = { ...current, acceptedAt: now.toISOString() };
  }

  const runs = [...current.runs];
  for (const i of dueRuns(current, now)) {
    const spec = specs[i];
    const run = runs[i];
    if (spec === undefined || run === undefined) continue;
    runs[i] = recordMeasurement(spec, run, await takeMeasurement(spec, providers.metrics, now), now);
  }
  current = { ...current, runs };

  const outcome = stepOutcome(specs, current);
  switch (outcome.kind) {
    case 'failed':
      return { kind: 'failed', message: `analysis failed at ${green}% to green: ${outcome.message}` };
    case 'inconclusive': {
      const id = analysisGateId(
        stepIndex,
        green,
        promotion.gates.map((g) => g.id),
      );
      return {
        kind: 'gate',
        state: { ...current, gate: id },
        gate: { id, reason: gateReason(green, outcome.message) },
      };
    }
    case 'measuring':
      return { kind: 'continue', state: current, nextMeasurementAt: outcome.nextAt };
    case 'done':
      return { kind: 'continue', state: current };
  }
}

function gateReason(green: number, detail: string): string {
  return (
    `analysis inconclusive at ${green}% to green${detail === '' ? '' : ` (${detail})`}. ` +
    'Approve to accept this step without a verdict, or roll back.'
  );
}
