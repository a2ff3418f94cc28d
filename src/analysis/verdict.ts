/**
 * Canary analysis verdicts, as pure functions: one measurement from the values read, one analysis from
 * its measurements, one step from its analyses. No data is inconclusive: never a failure, never a pass.
 */
import type { AnalysisSpec } from '../domain/plan.js';
import type { MetricResult, Verdict } from '../domain/ports.js';

/** What one side's query gave: a value, no data, or the provider's error. */
export type Reading = MetricResult | { readonly error: string };

export interface Measurement {
  readonly at: string;
  readonly verdict: Verdict;
  readonly green?: number;
  readonly blue?: number;
  readonly message: string;
}

/** `running` until `count` measurements are in, unless a limit was passed first. */
export type AnalysisVerdict = 'running' | 'passed' | 'failed' | 'inconclusive';

export interface Tally {
  readonly pass: number;
  readonly fail: number;
  readonly inconclusive: number;
}

/** Messages are kept short: they are stored with the promotion, once per measurement. */
export const maxMessageLength = 240;

/** Judges one measurement: green's value against the range and, when comparing, against blue's. */
export function judgeMeasurement(spec: AnalysisSpec, at: Date, green: Reading, blue?: Reading): Measurement {
  const greenValue = readValue(green);
  const blueValue = blue === undefined ? undefined : readValue(blue);
  const values = {
    ...(greenValue === undefined ? {} : { green: greenValue }),
    ...(blueValue === undefined ? {} : { blue: blueValue }),
  };
  const measured = (verdict: Verdict, message: string): Measurement => ({
    at: at.toISOString(),
    verdict,
    ...values,
    message: shorten(message),
  });

  if (greenValue === undefined) return measured('inconclusive', `green: ${unreadable(green)}`);
  const outOfRange = rangeProblem(spec.range, greenValue);
  if (outOfRange !== undefined) return measured('fail', `green ${outOfRange}`);
  const compare = spec.compare;
  if (compare === undefined || blue === undefined) return measured('pass', `green ${format(greenValue)}`);
  if (blueValue === undefined)
    return measured('inconclusive', `green ${format(greenValue)}; blue: ${unreadable(blue)}, cannot compare`);
  const limit = blueValue * (1 + compare.maxRelativeIncrease) + compare.margin;
  const percent = Math.round(compare.maxRelativeIncrease * 100);
  if (greenValue > limit) {
    return measured(
      'fail',
      `green ${format(greenValue)} is more than ${percent}% above blue ${format(blueValue)} (limit ${format(limit)})`,
    );
  }
  return measured('pass', `green ${format(greenValue)}, blue ${format(blueValue)} (limit ${format(limit)})`);
}

export function tally(measurements: readonly Measurement[]): Tally {
  const count = (verdict: Verdict) => measurements.filter((m) => m.verdict === verdict).length;
  return { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive') };
}

/**
 * Failures beyond `failureLimit` fail the analysis at once; inconclusive measurements beyond
 * `inconclusiveLimit` make it inconclusive at once (failure wins when both are over). Otherwise it
 * passes once `count` measurements are in, provided at least one of them passed: an analysis that
 * never saw a value has not shown anything.
 */
export function analysisVerdict(spec: AnalysisSpec, measurements: readonly Measurement[]): AnalysisVerdict {
  const counted = tally(measurements);
  if (counted.fail > spec.failureLimit) return 'failed';
  if (counted.inconclusive > spec.inconclusiveLimit) return 'inconclusive';
  if (measurements.length < spec.count) return 'running';
  return counted.pass > 0 ? 'passed' : 'inconclusive';
}

/** "2 of 5 failed (limit 1)" style summary of one analysis, for messages and gate reasons. */
export function describeTally(spec: AnalysisSpec, measurements: readonly Measurement[]): string {
  const counted = tally(measurements);
  const last = measurements.at(-1);
  return (
    `${counted.pass} passed, ${counted.fail} failed (limit ${spec.failureLimit}), ` +
    `${counted.inconclusive} inconclusive (limit ${spec.inconclusiveLimit}) of ${spec.count}` +
    (last === undefined ? '' : `; last: ${last.message}`)
  );
}

function readValue(reading: Reading): number | undefined {
  return 'value' in reading && Number.isFinite(reading.value) ? reading.value : undefined;
}

function unreadable(reading: Reading): string {
  if ('error' in reading) return `error: ${reading.error}`;
  if ('noData' in reading) return `no data (${reading.detail})`;
  return `not a number (${reading.value})`;
}

function rangeProblem(range: AnalysisSpec['range'], value: number): string | undefined {
  if (range?.min !== undefined && value < range.min)
    return `${format(value)} is below the minimum ${format(range.min)}`;
  if (range?.max !== undefined && value > range.max)
    return `${format(value)} is above the maximum ${format(range.max)}`;
  return undefined;
}

/** Four significant digits: enough to judge by, short enough to read. */
export function format(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function shorten(message: string): string {
  return message.length <= maxMessageLength ? message : `${message.slice(0, maxMessageLength - 1)}…`;
}
