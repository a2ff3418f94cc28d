import type { StageName } from './stages.js';
import type { GreenPercent } from './weights.js';
import type { GreenPolicy, RollbackMode } from './words.js';

/** One step of the traffic shift: move to `green` percent, hold for `bakeMs`, optionally wait for a human. */
export interface TrafficStep {
  readonly green: GreenPercent;
  /** At least the router's TTL, so resolvers have picked the new weights up before the step is judged. */
  readonly bakeMs: number;
  readonly approval: boolean;
  /** Measured during the bake; absent when the step is judged by readiness and the bake alone. */
  readonly analysis?: readonly AnalysisSpec[];
}

/** A value read from Prometheus with an instant query (`/api/v1/query`). */
export interface PrometheusQuery {
  readonly provider: 'prometheus';
  /** The server's base URL, e.g. http://prometheus.monitoring:9090. */
  readonly url: string;
  readonly promql: string;
  readonly timeoutMs: number;
}

/** One request to a URL: its status code, or how long the response took in milliseconds. */
export interface HttpProbeQuery {
  readonly provider: 'http';
  readonly url: string;
  readonly method: 'GET' | 'HEAD';
  readonly measure: 'status' | 'latency';
  readonly timeoutMs: number;
}

/** The latest datapoint of a CloudWatch metric, at `periodSeconds` granularity, within the lookback. */
export type CloudWatchQuery = {
  readonly provider: 'cloudwatch';
  readonly periodSeconds: number;
  readonly lookbackSeconds: number;
} & (
  | {
      /** HTTPCode_Target_5XX_Count of one target group, as a count or per request (RequestCount). */
      readonly kind: 'alb-target-5xx';
      readonly loadBalancer: string;
      readonly targetGroup: string;
      readonly measure: 'rate' | 'count';
    }
  | {
      /** TargetResponseTime of one target group, in seconds. */
      readonly kind: 'alb-target-response-time';
      readonly loadBalancer: string;
      readonly targetGroup: string;
      /** Average, Maximum, p99, … */
      readonly stat: string;
    }
  | {
      /** HealthCheckStatus (1 healthy, 0 not), Minimum over the period; published in us-east-1 only. */
      readonly kind: 'route53-health-check';
      readonly healthCheckId: string;
    }
  | {
      readonly kind: 'metric';
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: Readonly<Record<string, string>>;
      readonly stat: string;
      /** The region the metric lives in, when not the controller's. */
      readonly region?: string;
    }
);

export type MetricQuery = PrometheusQuery | HttpProbeQuery | CloudWatchQuery;

/**
 * A check measured `count` times during a step's bake, one measurement every `intervalMs`. A
 * measurement passes when green's value is within `range` and, with `compare`, no more than
 * `maxRelativeIncrease` (plus `margin`) above blue's. No data, or a provider error, is inconclusive:
 * never a failure, never a pass. More than `failureLimit` failures fail the step; more than
 * `inconclusiveLimit` inconclusive measurements stop it for a person.
 */
export interface AnalysisSpec {
  readonly name: string;
  /** Green's query, with any {{side}}/{{cluster}}/… placeholders already filled in. */
  readonly query: MetricQuery;
  readonly range?: { readonly min?: number; readonly max?: number };
  readonly intervalMs: number;
  readonly count: number;
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly compare?: {
    readonly against: 'blue';
    /** Blue's query. */
    readonly query: MetricQuery;
    /** 0.2: green may be up to 20% above blue. */
    readonly maxRelativeIncrease: number;
    /** Absolute slack on top, so that blue at 0 does not fail green at 0.0001. */
    readonly margin: number;
  };
}

/**
 * Requests sent to the platform's public URL during every traffic step, from before the weight write
 * to the end of the bake: more failed requests than `errorBudget` fail the step.
 */
export interface ProbeSpec {
  readonly url: string;
  readonly ratePerSecond: number;
  /** The response header whose value names the serving cluster. */
  readonly servedByHeader: string;
  /** Failed requests (non-2xx or no response) allowed per step. */
  readonly errorBudget: number;
  readonly timeoutMs: number;
  /** Share of requests sent on kept-alive connections; the rest each open a new connection. */
  readonly keepAliveShare: number;
  /** "host:port" of the DNS server the URL's host is resolved through; absent: the system's resolver. */
  readonly resolver?: string;
  /**
   * With `resolver`: the independent caching resolvers new connections are spread over (each keeps its
   * own answers for their TTL). Absent (a plan saved before the setting existed): one.
   */
  readonly resolvers?: number;
}

/**
 * How a rollback runs. `instant` moves all traffic to blue in one verified change; `stepped` walks back
 * through `steps` (each verified and held for `stepBakeMs`). `green: teardown` deletes the green cluster
 * once `drainDelayMs` has passed after blue holds all traffic; `automatic` rolls back on a failed
 * qualification or analysis instead of pausing for a human.
 */
export interface RollbackPolicy {
  readonly mode: RollbackMode;
  readonly green: GreenPolicy;
  readonly drainDelayMs: number;
  readonly automatic: boolean;
  /** Green percents a stepped rollback passes through on its way to 0, e.g. [50, 10]. */
  readonly steps: readonly number[];
  readonly stepBakeMs: number;
}

export interface RetryPolicy {
  /** Attempts of one stage action before its failure counts as final. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The platform's promotion settings, copied into the promotion when it starts so that editing the
 * platform config never changes a promotion already under way.
 */
export interface PromotionPlan {
  readonly ttlSeconds: number;
  readonly steps: readonly TrafficStep[];
  readonly rollback: RollbackPolicy;
  readonly retry: RetryPolicy;
  readonly stageTimeoutsMs: Partial<Record<StageName, number>>;
  /** How often a stage that is waiting on the outside world looks again. */
  readonly pollIntervalMs: number;
  /** Probes every traffic step when set. */
  readonly probe?: ProbeSpec;
}

/** Exponential backoff with a cap: base, 2×base, 4×base, … up to maxDelayMs. */
export function retryDelayMs(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}
