/**
 * The traffic probe: requests sent to the platform's public URL during every traffic step, counted by
 * the side that served them. The counts are plain data, so they can be added up across a controller
 * restart and stored with the step; judging them is src/analysis/probe-evidence.ts.
 */
import type { ProbeSpec } from './plan.js';
import type { Promotion } from './promotion.js';

export const servingSides = ['blue', 'green', 'unknown'] as const;
/** Which cluster answered: named by the response header, else unknown. */
export type ServingSide = (typeof servingSides)[number];

/** The outcomes of the requests one side served (or, for errors, the side the connection was on). */
export interface SideCounts {
  /** 2xx responses. */
  readonly ok: number;
  /** Responses with any other status. */
  readonly non2xx: number;
  /** Requests that got no response: refused, reset, closed early, or timed out. */
  readonly connectionErrors: number;
}

/** Requests on one kind of connection: a new one per request, or a kept-alive pool. */
export interface LaneCounts {
  readonly sent: number;
  readonly failed: number;
}

/** Responses by the side that served them. */
export type SideSplit = Readonly<Record<ServingSide, number>>;

/**
 * `write`: sent before the router's read-back confirmed the step's weight (the old weight may still be
 * in force); `bake`: sent after it.
 */
export const probeParts = ['write', 'bake'] as const;
export type ProbePart = (typeof probeParts)[number];

/** [bucket index, count] pairs of a latency histogram, only the buckets that hold something. */
export type LatencyBuckets = readonly (readonly [number, number])[];

/** Everything a probe counted; every request is counted once it has an outcome. */
export interface ProbeCounts {
  readonly sent: number;
  readonly sides: Readonly<Record<ServingSide, SideCounts>>;
  readonly lanes: { readonly fresh: LaneCounts; readonly keptAlive: LaneCounts };
  readonly served: Readonly<Record<ProbePart, SideSplit>>;
  /** Response times (first byte sent to last byte read) of every response, any status. */
  readonly latency: LatencyBuckets;
}

/** One probe's counts since it started (one life: a controller restart begins another). */
export interface ProbeReading {
  /** Different for every probe started, so a stage can tell a restarted probe from the one it saved. */
  readonly life: string;
  readonly startedAt: string;
  readonly counts: ProbeCounts;
  /** The latest failure, e.g. "green: HTTP 503" or "unknown: getaddrinfo ENOTFOUND shop.example.com". */
  readonly lastFailure?: string;
}

export interface ProbeStart {
  /** One probe per promotion step: "<promotion id>/<step index>". */
  readonly key: string;
  readonly promotionId: string;
  readonly spec: ProbeSpec;
  /** Cluster names the served-by header is matched against. */
  readonly clusters: { readonly blue: string; readonly green: string };
  readonly part: ProbePart;
}

/**
 * The controller's running probes. A probe runs on its own between a stage's passes; the stage reads
 * its counts on every pass and stops it when the step ends. Starting a key that runs returns its
 * reading unchanged; starting another key of the same promotion stops the promotion's previous probe.
 */
export interface TrafficProbes {
  start(request: ProbeStart): ProbeReading;
  read(key: string): ProbeReading | undefined;
  /** The router confirmed the step's weight: requests from now on count as the bake's. */
  verified(key: string): void;
  /** Stops the probe (its open requests are abandoned, not counted); resolves once its sockets are closed. */
  stop(key: string): Promise<ProbeReading | undefined>;
}

/**
 * Whether a promotion may have a probe running: only while its shift-traffic stage runs (a gate on a
 * baking step included). Paused, rolling back or finished: its probe is stopped.
 */
export function probeMayRun(promotion: Pick<Promotion, 'phase' | 'currentStage' | 'stages'>): boolean {
  return (
    (promotion.phase === 'running' || promotion.phase === 'waiting-approval') &&
    promotion.currentStage === 'shift-traffic' &&
    promotion.stages['shift-traffic'].state === 'running'
  );
}
