/**
 * The analysis of one traffic step, as the shift-traffic stage stores it between runs: one run per
 * configured analysis, each with its measurements (at most `count`) and when the next one is due.
 * Pure functions; the stage takes the measurements.
 */
import type { AnalysisSpec } from '../domain/plan.js';
import { type AnalysisVerdict, analysisVerdict, describeTally, type Measurement, tally } from './verdict.js';

export interface AnalysisRun {
  readonly name: string;
  readonly verdict: AnalysisVerdict;
  /** When the next measurement is due; absent once the verdict is in. */
  readonly nextAt?: string;
  readonly measurements: readonly Measurement[];
}

export interface StepAnalysis {
  readonly startedAt: string;
  readonly runs: readonly AnalysisRun[];
  /** The gate opened when too many measurements were inconclusive. */
  readonly gate?: string;
  /** When that gate was approved: a person judged the step instead, and measuring stopped. */
  readonly acceptedAt?: string;
}

/** What is kept of a finished step's analysis: the counts and the last measurement of each. */
export interface StepAnalysisSummary {
  readonly step: number;
  readonly green: number;
  readonly outcome: 'passed' | 'accepted';
  readonly gate?: string;
  readonly analyses: readonly {
    readonly name: string;
    readonly verdict: AnalysisVerdict;
    readonly pass: number;
    readonly fail: number;
    readonly inconclusive: number;
    readonly last?: Measurement;
  }[];
}

/** Where a step's analysis stands after the measurements due were taken. */
export type StepOutcome =
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'inconclusive'; readonly message: string }
  | { readonly kind: 'measuring'; readonly nextAt: number }
  | { readonly kind: 'done' };

/** The first measurement of each analysis is due one interval after the weights were verified. */
export function startStepAnalysis(specs: readonly AnalysisSpec[], now: Date): StepAnalysis {
  return {
    startedAt: now.toISOString(),
    runs: specs.map((spec) => ({
      name: spec.name,
      verdict: 'running',
      nextAt: new Date(now.getTime() + spec.intervalMs).toISOString(),
      measurements: [],
    })),
  };
}

/** Indexes of the runs with a measurement due at `now`. */
export function dueRuns(state: StepAnalysis, now: Date): number[] {
  if (state.acceptedAt !== undefined) return [];
  return state.runs.flatMap((run, i) =>
    run.verdict === 'running' && Date.parse(run.nextAt ?? '') <= now.getTime() ? [i] : [],
  );
}

/**
 * Adds a measurement and judges the run again. The next one is due an interval after this one was
 * due; when the controller fell behind, an interval from now (missed measurements are not bunched).
 */
export function recordMeasurement(
  spec: AnalysisSpec,
  run: AnalysisRun,
  measurement: Measurement,
  now: Date,
): AnalysisRun {
  const measurements = [...run.measurements, measurement];
  const verdict = analysisVerdict(spec, measurements);
  if (verdict !== 'running') return { name: run.name, verdict, measurements };
  const scheduled = Date.parse(run.nextAt ?? '') + spec.intervalMs;
  const nextAt = scheduled > now.getTime() ? scheduled : now.getTime() + spec.intervalMs;
  return { name: run.name, verdict, nextAt: new Date(nextAt).toISOString(), measurements };
}

/** Failure wins over inconclusive; a step whose gate was approved is done measuring. */
export function stepOutcome(specs: readonly AnalysisSpec[], state: StepAnalysis): StepOutcome {
  if (state.acceptedAt !== undefined) return { kind: 'done' };
  const judged = (verdict: AnalysisVerdict) =>
    state.runs.flatMap((run, i) => {
      const spec = specs[i];
      return run.verdict === verdict && spec ? [`${run.name}: ${describeTally(spec, run.measurements)}`] : [];
    });
  const failed = judged('failed');
  if (failed.length > 0) return { kind: 'failed', message: failed.join('; ') };
  const inconclusive = judged('inconclusive');
  if (inconclusive.length > 0) return { kind: 'inconclusive', message: inconclusive.join('; ') };
  const pending = state.runs
    .filter((run) => run.verdict === 'running')
    .map((run) => Date.parse(run.nextAt ?? ''));
  return pending.length === 0 ? { kind: 'done' } : { kind: 'measuring', nextAt: Math.min(...pending) };
}

/** The id of the gate for an inconclusive step: the first of "analysis/2-to-10", "…#2", … not yet used. */
export function analysisGateId(stepIndex: number, green: number, taken: readonly string[]): string {
  const base = `analysis/${stepIndex + 1}-to-${green}`;
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}#${n}`;
  return id;
}

export function summarize(step: number, green: number, state: StepAnalysis): StepAnalysisSummary {
  return {
    step,
    green,
    outcome: state.acceptedAt === undefined ? 'passed' : 'accepted',
    ...(state.gate === undefined ? {} : { gate: state.gate }),
    analyses: state.runs.map((run) => {
      const last = run.measurements.at(-1);
      return { name: run.name, verdict: run.verdict, ...tally(run.measurements), ...(last && { last }) };
    }),
  };
}

/** "error-rate 3/5, latency 2/5" */
export function progressLine(specs: readonly AnalysisSpec[], state: StepAnalysis): string {
  return state.runs
    .map((run, i) => `${run.name} ${run.measurements.length}/${specs[i]?.count ?? '?'} ${run.verdict}`)
    .join(', ');
}
