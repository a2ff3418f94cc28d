/**
 * The small interfaces the stages and the engine use to reach the outside world. Adapters (AWS,
 * Kubernetes, notifiers) implement them in src/providers; a new adapter needs no change here.
 */
import type { ClusterRef, GreenCluster } from './promotion.js';
import type { GreenPercent } from './weights.js';

/** What a provider saw; `ready: false` with a message means "not yet", to be looked at again. */
export interface Observation {
  readonly ready: boolean;
  readonly message: string;
}

export interface ClusterObservation extends Observation {
  /** Set when the cluster can never become ready (e.g. EKS status FAILED). */
  readonly failed?: boolean;
}

export interface FoundationObservation extends Observation {
  /** Managed add-on versions chosen for the target version, recorded with the promotion. */
  readonly addons?: Readonly<Record<string, string>>;
}

/** Creates, adopts and deletes clusters. Every call is idempotent and safe to repeat after a crash. */
export interface ClusterProvisioner {
  /**
   * Creates green at `version` (or checks an adopted one) and reports whether it is ACTIVE. Repeated
   * calls with the same token create nothing new.
   */
  ensureCluster(request: {
    readonly promotionId: string;
    readonly cluster: GreenCluster;
    readonly version: string;
    readonly idempotencyToken: string;
  }): Promise<ClusterObservation>;
  /** Node groups and managed add-ons on green, at versions compatible with `version`. */
  ensureFoundation(request: {
    readonly promotionId: string;
    readonly cluster: GreenCluster;
    readonly version: string;
  }): Promise<FoundationObservation>;
  /** Deletes a cluster and everything created with it; `ready: true` once it is gone. */
  teardown(request: { readonly promotionId: string; readonly cluster: ClusterRef }): Promise<Observation>;
}

/** The live split between blue and green as the router reports it. */
export interface TrafficReading {
  /** Undefined when the router holds something we must not interpret (e.g. an all-zero pair). */
  readonly green: GreenPercent | undefined;
  /** `unweighted`: the original single record/target still serves all traffic to blue. */
  readonly kind: 'weighted' | 'unweighted';
  readonly detail: string;
}

/** Moves traffic between blue and green. Setting and verifying are separate, as in every safe router. */
export interface TrafficRouter {
  /** TTL resolvers may cache the answer for; every bake lasts at least this long. */
  readonly ttlSeconds: number;
  read(): Promise<TrafficReading>;
  /** One atomic provider call that sets both sides. Never writes an all-zero pair. */
  apply(green: GreenPercent): Promise<{ readonly changeId?: string }>;
  /** Reads back and compares; `ready: false` while the change propagates. */
  verify(green: GreenPercent, changeId?: string): Promise<Observation>;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface CheckResult {
  readonly name: string;
  readonly verdict: Verdict;
  readonly evidence: string;
}

export interface Qualification {
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** Worth a person's attention but not blocking, e.g. an API deprecated in the target but still served. */
  readonly warnings?: readonly string[];
}

/** Kubernetes-side judgement of a cluster. */
export interface ClusterHealth {
  /**
   * Foundation software on green (DNS, CNI, kube-proxy, ingress, autoscaling, metrics/logging, nodes,
   * pod errors), and the APIs blue's live objects use that `targetVersion` no longer serves.
   */
  qualifyFoundation(request: {
    readonly green: ClusterRef;
    readonly blue: ClusterRef;
    readonly targetVersion: string;
  }): Promise<Qualification>;
  /** Can this cluster's services take (more) traffic right now? Asked before every weight change. */
  readyForTraffic(cluster: ClusterRef): Promise<Observation>;
}

/** Puts the platform's services on green and judges them before they take traffic. */
export interface ServiceDeployer {
  deploy(request: {
    readonly promotionId: string;
    readonly from: ClusterRef;
    readonly to: ClusterRef;
  }): Promise<Observation>;
  qualify(cluster: ClusterRef): Promise<Qualification>;
}

export interface Notification {
  readonly promotionId: string;
  readonly platform: string;
  readonly type: string;
  readonly message: string;
  readonly green: GreenPercent;
}

/** Tells people what happened. A failing notifier never blocks or fails a promotion. */
export interface Notifier {
  post(notification: Notification): Promise<void>;
}

/** Everything one platform's promotion needs from the outside world. */
export interface PlatformProviders {
  readonly clusters: ClusterProvisioner;
  readonly router: TrafficRouter;
  readonly health: ClusterHealth;
  readonly services: ServiceDeployer;
  readonly notifier: Notifier;
}
