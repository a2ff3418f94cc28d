import {
  progressLine,
  type StepAnalysis,
  type StepAnalysisSummary,
  startStepAnalysis,
  summarize,
} from '../src/analysis/step.js';
import type { Stage, StageContext, StageResult } from '../src/domain/stage.js';
import { moveWeight } from '../src/engine/weight-move.js';
import { type GreenWatch, watchGreen } from './bake-watch.js';
import { type Looks, lookAgain } from './look-again.js';
import { analyseStep } from './shift-analysis.js';
import { finishStepProbe, lookAtStepProbe, type ProbeProgress, startStepProbe } from './shift-probe.js';

/** Where the shift is: which step, and which part of it. Saved between runs. */
export interface ShiftProgress extends Looks, ProbeProgress {
  readonly step: number;
  readonly part: 'check' | 'verify' | 'bake';
  readonly changeId?: string;
  readonly bakeUntil?: string;
  /** The current step's analysis and its measurements, while the step bakes. */
  readonly analysis?: StepAnalysis;
  /** What the analyses of finished steps found, oldest first (one short summary per step). */
  readonly analyzed?: readonly StepAnalysisSummary[];
  /** The last look at green while the step bakes (see bake-watch.ts). */
  readonly greenWatch?: GreenWatch;
}

/** The history of finished steps travels with every saved progress. */
function carried(progress: ShiftProgress): Pick<ShiftProgress, 'analyzed' | 'probed'> {
  return {
    ...(progress.analyzed !== undefined && { analyzed: progress.analyzed }),
    ...(progress.probed !== undefined && { probed: progress.probed }),
  };
}

/** The gate a step with `approval: required` waits on, e.g. "shift-traffic/3-to-50". */
export function stepGateId(stepIndex: number, green: number): string {
  return `shift-traffic/${stepIndex + 1}-to-${green}`;
}

/**
 * Moves traffic to green in the plan's steps. Each step: approval if required → green must be ready →
 * one atomic weight write (skipped if the router already shows it) → read back until verified → bake
 * for at least the TTL, measuring the step's analyses (if any) one interval apart. A crash anywhere
 * re-enters at "check", which observes the router before writing.
 */
export const shiftTraffic: Stage = {
  name: 'shift-traffic',
  async run(context) {
    const progress = (context.saved as ShiftProgress | undefined) ?? { step: 0, part: 'check' };
    switch (progress.part) {
      case 'check':
        return checkAndApply(context, progress);
      case 'verify':
        return verify(context, progress);
      case 'bake':
        return bake(context, progress);
    }
  },
};

async function checkAndApply(context: StageContext, progress: ShiftProgress): Promise<StageResult> {
  const { promotion, providers } = context;
  const steps = promotion.plan.steps;
  let index = progress.step;
  // After a manual override, steps below the weight already in force are not walked again.
  while (steps[index] !== undefined && (steps[index]?.green ?? 0) < promotion.traffic.green) index++;
  const step = steps[index];
  if (step === undefined)
    return { phase: 'succeeded', message: `all traffic on green (${promotion.traffic.green}%)` };

  const gateId = stepGateId(index, step.green);
  if (step.approval && !context.isApproved(gateId)) {
    return {
      phase: 'waiting-approval',
      gate: { id: gateId, reason: `approve moving ${step.green}% of traffic to green` },
      message: `step ${index + 1}: waiting for approval to move to ${step.green}%`,
      saved: { step: index, part: 'check', ...carried(progress) } satisfies ShiftProgress,
    };
  }
  // Started before the write, so the evidence covers the moment the weights change.
  const probe = startStepProbe(context, index, step.green, progress.probe);
  const moved = await moveWeight(promotion, providers, step.green);
  if (moved.kind === 'not-ready') {
    return {
      phase: 'failed',
      retryable: true,
      message: `${moved.side} is not ready for traffic: ${moved.message}`,
    };
  }
  const changeId = moved.written ? moved.changeId : undefined;
  // Verified in the same run: a change already in sync is recorded at once; one still pending is
  // saved with its change id and looked at again after the usual backoff. A crash before that save
  // re-enters at "check", which finds the weight written and verifies it by reading it back.
  return verify(context, {
    step: index,
    part: 'verify',
    ...(changeId === undefined ? {} : { changeId }),
    ...(probe && { probe }),
    ...carried(progress),
  });
}

async function verify(context: StageContext, progress: ShiftProgress): Promise<StageResult> {
  const { promotion, providers, now } = context;
  const step = promotion.plan.steps[progress.step];
  if (step === undefined)
    return { phase: 'failed', retryable: false, message: `no traffic step ${progress.step + 1}` };
  const verified = await providers.router.verify(step.green, progress.changeId);
  const probed = await lookAtStepProbe(context, progress.step, step.green, progress.probe, {
    verified: verified.ready,
  });
  if (probed.kind === 'over-budget') return { phase: 'failed', retryable: false, message: probed.message };
  const probe = probed.probe && { probe: probed.probe };
  // Route 53 changes are usually INSYNC within seconds: look again soon, then less often.
  if (!verified.ready) return lookAgain(context, verified.message, { ...progress, ...probe });
  const bakeMs = Math.max(step.bakeMs, providers.router.ttlSeconds * 1000);
  const bakeUntil = new Date(now.getTime() + bakeMs).toISOString();
  const specs = step.analysis ?? [];
  const analysis = specs.length === 0 ? undefined : startStepAnalysis(specs, now);
  const firstMeasurementMs = Math.min(...specs.map((spec) => spec.intervalMs));
  return {
    phase: 'running',
    // Back at the first measurement due, and at the latest a poll interval on to look at green again.
    requeueAfterMs: Math.min(bakeMs, firstMeasurementMs, promotion.plan.pollIntervalMs),
    message:
      `step ${progress.step + 1}: ${step.green}% verified at the router, baking until ${bakeUntil}` +
      (analysis === undefined ? '' : `, measuring ${specs.map((spec) => spec.name).join(', ')}`),
    saved: {
      step: progress.step,
      part: 'bake',
      bakeUntil,
      ...(analysis && { analysis }),
      ...probe,
      ...carried(progress),
    } satisfies ShiftProgress,
    verifiedGreen: step.green,
  };
}

/**
 * Holds the step for its bake. With analyses, the stage comes back at every measurement due (it never
 * sleeps through one), and the step ends only when the bake is over and every analysis has passed, or
 * a person accepted an inconclusive one. Too many failures fail the stage for good: the engine then
 * rolls back (rollback.automatic) or pauses.
 */
async function bake(context: StageContext, progress: ShiftProgress): Promise<StageResult> {
  const { promotion, now } = context;
  const step = promotion.plan.steps[progress.step];
  // A person set another weight while this step baked (then resumed): this step's weight is no longer
  // in force, so it is applied, verified and baked again before any higher step.
  if (step !== undefined && promotion.traffic.green !== step.green) {
    return {
      phase: 'running',
      requeueAfterMs: 0,
      message: `step ${progress.step + 1}: traffic is at ${promotion.traffic.green}%, not ${step.green}%; applying the step again`,
      saved: { step: progress.step, part: 'check', ...carried(progress) } satisfies ShiftProgress,
    };
  }
  const watched = step === undefined ? undefined : await watchGreen(context, step.green, progress.greenWatch);
  if (watched?.kind === 'degraded') return { phase: 'failed', retryable: false, message: watched.message };
  const probed = step && (await lookAtStepProbe(context, progress.step, step.green, progress.probe));
  if (probed?.kind === 'over-budget') return { phase: 'failed', retryable: false, message: probed.message };
  const probe = probed?.probe && { probe: probed.probe };
  const specs = step?.analysis;
  let analysis = progress.analysis;
  let nextMeasurementAt: number | undefined;
  if (step !== undefined && specs !== undefined && analysis !== undefined) {
    const judged = await analyseStep(context, progress.step, step.green, specs, analysis);
    if (judged.kind === 'failed') return { phase: 'failed', retryable: false, message: judged.message };
    if (judged.kind === 'gate') {
      return {
        phase: 'waiting-approval',
        gate: judged.gate,
        message: `step ${progress.step + 1}: analysis inconclusive, waiting for a person at ${judged.gate.id}`,
        saved: { ...progress, ...probe, analysis: judged.state } satisfies ShiftProgress,
      };
    }
    analysis = judged.state;
    nextMeasurementAt = judged.nextMeasurementAt;
  }
  const saved: ShiftProgress = {
    ...progress,
    ...(analysis && { analysis }),
    ...(watched && { greenWatch: watched.watch }),
    ...probe,
  };
  const analysisLine =
    specs === undefined || analysis === undefined ? '' : `; analysis: ${progressLine(specs, analysis)}`;

  const remainingMs = Date.parse(progress.bakeUntil ?? '') - now.getTime();
  if (remainingMs > 0 || nextMeasurementAt !== undefined) {
    // Green is looked at again at least every poll interval while the step bakes.
    const waits = [remainingMs, (nextMeasurementAt ?? 0) - now.getTime(), promotion.plan.pollIntervalMs];
    return {
      phase: 'running',
      requeueAfterMs: Math.min(...waits.filter((ms) => ms > 0)),
      message: `baking for ${Math.ceil(Math.max(remainingMs, 0) / 1000)} s more${analysisLine}`,
      saved,
    };
  }

  const finished = await finishStepProbe(context, progress.step, saved);
  if (finished.kind === 'over-budget')
    return { phase: 'failed', retryable: false, message: finished.message };
  const analyzed = {
    ...(step === undefined || analysis === undefined
      ? carried(progress)
      : { analyzed: [...(progress.analyzed ?? []), summarize(progress.step, step.green, analysis)] }),
    ...(finished.probed && { probed: finished.probed }),
  };
  const next = progress.step + 1;
  if (next >= promotion.plan.steps.length) {
    return {
      phase: 'succeeded',
      message: `all traffic on green (${promotion.traffic.green}%), baked${analysisLine}`,
      saved: { ...saved, ...analyzed } satisfies ShiftProgress,
    };
  }
  return {
    phase: 'running',
    requeueAfterMs: 0,
    message: `step ${progress.step + 1} baked${analysisLine}`,
    saved: { step: next, part: 'check', ...analyzed } satisfies ShiftProgress,
  };
}
