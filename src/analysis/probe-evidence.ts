/**
 * The evidence a traffic probe gathers for one step, as the shift-traffic stage stores it, and its
 * judgement: more failed requests than the error budget fail the step. Pure functions; the probe
 * itself runs in src/providers/probe/.
 */
import type { ProbeSpec } from '../domain/plan.js';
import {
  type LaneCounts,
  type ProbeCounts,
  type ProbeReading,
  type SideCounts,
  type SideSplit,
  servingSides,
} from '../domain/probe.js';
import { mergeBuckets, quantileMs } from './latency-histogram.js';

/** A stretch during which nothing probed: the controller stopped, and a new probe started later. */
export interface ProbeInterruption {
  /** The last time the evidence was saved before the gap. */
  readonly since: string;
  readonly resumedAt: string;
}

/** The probe of the step in progress, saved on every pass. */
export interface StepProbe {
  /** The probe whose counts `counts` includes: another life means the controller restarted. */
  readonly life: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** The weight in force before the step's write, and the step's own once the router confirms it. */
  readonly intended: { readonly before: number; readonly green: number };
  /** When the router's read-back confirmed the step's weight: requests from then on are the bake's. */
  readonly verifiedAt?: string;
  readonly interruptions?: readonly ProbeInterruption[];
  /** What earlier lives of this step's probe counted (before a restart); absent when there were none. */
  readonly earlier?: ProbeCounts;
  /** Everything counted for the step: `earlier` and the running probe's counts together. */
  readonly counts: ProbeCounts;
  readonly findings: ProbeFindings;
  /** The latest failure the probe saw, e.g. "green: HTTP 503". */
  readonly lastFailure?: string;
}

/** Figures read off the counts, stored beside them so every reader shows the same ones. */
export interface ProbeFindings {
  readonly failed: number;
  readonly errorBudget: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Percent of attributed responses that green served, while the write was in flight and after. */
  readonly observedGreen: { readonly write?: number; readonly bake?: number };
  /**
   * False when the step sends green a share but nothing green answered since the bake began: the
   * step's requests said nothing about green (not a failure; a person should know the pass was blind).
   * Absent otherwise.
   */
  readonly greenReached?: false;
}

/** What is kept of a finished step's probe. */
export interface StepProbeSummary {
  readonly step: number;
  readonly green: number;
  readonly before: number;
  readonly sent: number;
  readonly sides: ProbeCounts['sides'];
  readonly lanes: ProbeCounts['lanes'];
  readonly findings: ProbeFindings;
  readonly interruptions?: readonly ProbeInterruption[];
}

const noSide: SideCounts = { ok: 0, non2xx: 0, connectionErrors: 0 };
const noLane: LaneCounts = { sent: 0, failed: 0 };
const noSplit: SideSplit = { blue: 0, green: 0, unknown: 0 };

export function emptyCounts(): ProbeCounts {
  return {
    sent: 0,
    sides: { blue: noSide, green: noSide, unknown: noSide },
    lanes: { fresh: noLane, keptAlive: noLane },
    served: { write: noSplit, bake: noSplit },
    latency: [],
  };
}

export function addCounts(first: ProbeCounts, second: ProbeCounts): ProbeCounts {
  const side = (name: keyof ProbeCounts['sides']): SideCounts => ({
    ok: first.sides[name].ok + second.sides[name].ok,
    non2xx: first.sides[name].non2xx + second.sides[name].non2xx,
    connectionErrors: first.sides[name].connectionErrors + second.sides[name].connectionErrors,
  });
  const lane = (name: keyof ProbeCounts['lanes']): LaneCounts => ({
    sent: first.lanes[name].sent + second.lanes[name].sent,
    failed: first.lanes[name].failed + second.lanes[name].failed,
  });
  const split = (part: keyof ProbeCounts['served']): SideSplit => ({
    blue: first.served[part].blue + second.served[part].blue,
    green: first.served[part].green + second.served[part].green,
    unknown: first.served[part].unknown + second.served[part].unknown,
  });
  return {
    sent: first.sent + second.sent,
    sides: { blue: side('blue'), green: side('green'), unknown: side('unknown') },
    lanes: { fresh: lane('fresh'), keptAlive: lane('keptAlive') },
    served: { write: split('write'), bake: split('bake') },
    latency: mergeBuckets(first.latency, second.latency),
  };
}

/** Non-2xx responses and requests without a response, on every side. */
export function failedRequests(counts: ProbeCounts): number {
  return servingSides.reduce(
    (sum, side) => sum + counts.sides[side].non2xx + counts.sides[side].connectionErrors,
    0,
  );
}

/** Green's percent of the responses a side could be named for; undefined when there were none. */
export function observedGreenPercent(split: SideSplit): number | undefined {
  const attributed = split.blue + split.green;
  return attributed === 0 ? undefined : Math.round((split.green / attributed) * 1000) / 10;
}

/**
 * Green was meant to get a share of the bake's requests, the bake has had answers, and none of them
 * was green's. Before the bake's first answer nothing can be said yet.
 */
function greenMissed(intendedGreen: number, counts: ProbeCounts): boolean {
  const { blue, green, unknown } = counts.served.bake;
  return intendedGreen > 0 && blue + green + unknown > 0 && green === 0;
}

export function findings(spec: ProbeSpec, counts: ProbeCounts, intendedGreen: number): ProbeFindings {
  const p50Ms = quantileMs(counts.latency, 0.5);
  const p99Ms = quantileMs(counts.latency, 0.99);
  const write = observedGreenPercent(counts.served.write);
  const bake = observedGreenPercent(counts.served.bake);
  return {
    failed: failedRequests(counts),
    errorBudget: spec.errorBudget,
    ...(p50Ms !== undefined && { p50Ms }),
    ...(p99Ms !== undefined && { p99Ms }),
    observedGreen: { ...(write !== undefined && { write }), ...(bake !== undefined && { bake }) },
    ...(greenMissed(intendedGreen, counts) && { greenReached: false as const }),
  };
}

/** The evidence of a step whose probe just started (or started again after the step was re-entered). */
export function beginStepProbe(
  spec: ProbeSpec,
  reading: ProbeReading,
  intended: StepProbe['intended'],
  now: Date,
): StepProbe {
  return {
    life: reading.life,
    startedAt: reading.startedAt,
    updatedAt: now.toISOString(),
    intended,
    counts: reading.counts,
    findings: findings(spec, reading.counts, intended.green),
    ...(reading.lastFailure !== undefined && { lastFailure: reading.lastFailure }),
  };
}

/**
 * The saved evidence with the running probe's latest counts. A reading of another life means the
 * probe was started again (the controller restarted): what was saved becomes `earlier`, and the gap
 * since it was saved is recorded as an interruption.
 */
export function updateStepProbe(
  spec: ProbeSpec,
  saved: StepProbe,
  reading: ProbeReading,
  now: Date,
): StepProbe {
  const restarted = reading.life !== saved.life;
  const earlier = restarted ? saved.counts : saved.earlier;
  const interruptions = restarted
    ? [...(saved.interruptions ?? []), { since: saved.updatedAt, resumedAt: reading.startedAt }]
    : saved.interruptions;
  const counts = earlier === undefined ? reading.counts : addCounts(earlier, reading.counts);
  return {
    ...saved,
    life: reading.life,
    updatedAt: now.toISOString(),
    ...(interruptions && { interruptions }),
    ...(earlier && { earlier }),
    counts,
    findings: findings(spec, counts, saved.intended.green),
    ...(reading.lastFailure !== undefined && { lastFailure: reading.lastFailure }),
  };
}

/** "green: 2 non-2xx, 1 connection error; unknown: 1 connection error" */
export function describeFailures(counts: Pick<ProbeCounts, 'sides'>): string {
  const parts = servingSides.flatMap((side) => {
    const { non2xx, connectionErrors } = counts.sides[side];
    const kinds = [
      ...(non2xx > 0 ? [`${non2xx} non-2xx`] : []),
      ...(connectionErrors > 0 ? [plural(connectionErrors, 'connection error')] : []),
    ];
    return kinds.length === 0 ? [] : [`${side}: ${kinds.join(', ')}`];
  });
  return parts.length === 0 ? 'none failed' : parts.join('; ');
}

/** Over budget: the message the step fails with. Within it: undefined. */
export function overBudget(probe: StepProbe): string | undefined {
  const { failed, errorBudget } = probe.findings;
  if (failed <= errorBudget) return undefined;
  return (
    `probe: ${plural(failed, 'failed request')} of ${probe.counts.sent} at ${probe.intended.green}% to green ` +
    `(error budget ${errorBudget}): ${describeFailures(probe.counts)}` +
    (probe.lastFailure === undefined ? '' : `; last: ${probe.lastFailure}`)
  );
}

export function summarizeProbe(step: number, probe: StepProbe): StepProbeSummary {
  return {
    step,
    green: probe.intended.green,
    before: probe.intended.before,
    sent: probe.counts.sent,
    sides: probe.counts.sides,
    lanes: probe.counts.lanes,
    findings: probe.findings,
    ...(probe.interruptions && { interruptions: probe.interruptions }),
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
