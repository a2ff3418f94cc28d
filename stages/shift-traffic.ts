import type { Stage, StageContext, StageResult } from '../src/domain/stage.js';

/** Where the shift is: which step, and which part of it. Saved between runs. */
export interface ShiftProgress {
  readonly step: number;
  readonly part: 'check' | 'verify' | 'bake';
  readonly changeId?: string;
  readonly bakeUntil?: string;
}

/** The gate a step with `approval: required` waits on, e.g. "shift-traffic/3-to-50". */
export function stepGateId(stepIndex: number, green: number): string {
  return `shift-traffic/${stepIndex + 1}-to-${green}`;
}

/**
 * Moves traffic to green in the plan's steps. Each step: approval if required → green must be ready →
 * one atomic weight write (skipped if the router already shows it) → read back until verified → bake
 * for at least the TTL. A crash anywhere re-enters at "check", which observes the router before writing.
 */
export const shiftTraffic: Stage = {
  name: 'shift-traffic',
  async run(context) {
    const progress = (context.saved as ShiftProgress | undefined) ?? { step: 0, part: 'check' };
    switch (progress.part) {
      case 'check':
        return checkAndApply(context, progress.step);
      case 'verify':
        return verify(context, progress);
      case 'bake':
        return bake(context, progress);
    }
  },
};

async function checkAndApply(context: StageContext, stepIndex: number): Promise<StageResult> {
  const { promotion, providers } = context;
  const steps = promotion.plan.steps;
  let index = stepIndex;
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
      saved: { step: index, part: 'check' } satisfies ShiftProgress,
    };
  }
  const readiness = await providers.health.readyForTraffic(promotion.green);
  if (!readiness.ready) {
    return {
      phase: 'failed',
      retryable: true,
      message: `green is not ready for traffic: ${readiness.message}`,
    };
  }
  const reading = await providers.router.read();
  let changeId: string | undefined;
  if (reading.green !== step.green || reading.kind !== 'weighted') {
    changeId = (await providers.router.apply(step.green)).changeId;
  }
  return {
    phase: 'running',
    requeueAfterMs: 0,
    message: `step ${index + 1}: set ${step.green}% to green, verifying`,
    saved: {
      step: index,
      part: 'verify',
      ...(changeId === undefined ? {} : { changeId }),
    } satisfies ShiftProgress,
  };
}

async function verify(context: StageContext, progress: ShiftProgress): Promise<StageResult> {
  const { promotion, providers, now } = context;
  const step = promotion.plan.steps[progress.step];
  if (step === undefined)
    return { phase: 'failed', retryable: false, message: `no traffic step ${progress.step + 1}` };
  const verified = await providers.router.verify(step.green, progress.changeId);
  if (!verified.ready) {
    return {
      phase: 'running',
      requeueAfterMs: promotion.plan.pollIntervalMs,
      message: verified.message,
      saved: progress,
    };
  }
  const bakeMs = Math.max(step.bakeMs, providers.router.ttlSeconds * 1000);
  const bakeUntil = new Date(now.getTime() + bakeMs).toISOString();
  return {
    phase: 'running',
    requeueAfterMs: bakeMs,
    message: `step ${progress.step + 1}: ${step.green}% verified at the router, baking until ${bakeUntil}`,
    saved: { step: progress.step, part: 'bake', bakeUntil } satisfies ShiftProgress,
    verifiedGreen: step.green,
  };
}

function bake(context: StageContext, progress: ShiftProgress): StageResult {
  const { promotion, now } = context;
  const remainingMs = Date.parse(progress.bakeUntil ?? '') - now.getTime();
  if (remainingMs > 0) {
    return {
      phase: 'running',
      requeueAfterMs: remainingMs,
      message: `baking for ${Math.ceil(remainingMs / 1000)} s more`,
      saved: progress,
    };
  }
  const next = progress.step + 1;
  if (next >= promotion.plan.steps.length) {
    return { phase: 'succeeded', message: `all traffic on green (${promotion.traffic.green}%), baked` };
  }
  return {
    phase: 'running',
    requeueAfterMs: 0,
    message: `step ${progress.step + 1} baked`,
    saved: { step: next, part: 'check' } satisfies ShiftProgress,
  };
}
