/**
 * The small interfaces the stages and the engine use to reach the outside world. Adapters (AWS,
 * Kubernetes, notifiers) implement them in src/providers; a new adapter needs no change here.
 */
import type { FleetMemberState, FleetRunState, FleetStageState } from './fleet.js';
import type { MetricQuery } from './plan.js';
import type { TrafficProbes } from './probe.js';
import type { ClusterRef, PromotionPhase } from './promotion.js';
import type { StageName } from './stages.js';
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

/** The cluster a promotion builds or adopts, as the provisioner sees it. */
export interface ProvisionedCluster extends ClusterRef {
  /** True when it already existed (built elsewhere, e.g. by Terraform) and is adopted, not created. */
  readonly adopted: boolean;
}

/** What the cloud says about a cluster by name, before a promotion is started. */
export type ClusterFacts =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** Kubernetes minor version, e.g. "1.35". */
      readonly version: string;
      readonly status: string;
      /** The promotion that created it, from its tag; undefined when Switchyard did not create it. */
      readonly createdBy?: string;
    };

/** Creates, adopts and deletes clusters. Every call is idempotent and safe to repeat after a crash. */
export interface ClusterProvisioner {
  /** Looks a cluster up; changes nothing. */
  inspect(cluster: ClusterRef): Promise<ClusterFacts>;
  /** The Kubernetes minor versions the cloud offers for new clusters, oldest first. */
  offeredVersions(): Promise<readonly string[]>;
  /** The managed add-on versions a cluster created at `version` would get (none for an adopted one). */
  addonVersions(version: string): Promise<Readonly<Record<string, string>>>;
  /**
   * Creates green at `version` (or checks an adopted one) and reports whether it is ACTIVE. Repeated
   * calls with the same token create nothing new.
   */
  ensureCluster(request: {
    readonly promotionId: string;
    readonly cluster: ProvisionedCluster;
    readonly version: string;
    readonly idempotencyToken: string;
  }): Promise<ClusterObservation>;
  /** Node groups and managed add-ons on green, at versions compatible with `version`. */
  ensureFoundation(request: {
    readonly promotionId: string;
    readonly cluster: ProvisionedCluster;
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
  /**
   * One atomic provider call that sets both sides. Never writes an all-zero pair. `basis`: a reading
   * this router returned in the same step; the write is then built from what that read saw instead of
   * reading again (a rollback reads once, then writes). Without it, or with another router's reading,
   * apply reads first.
   */
  apply(green: GreenPercent, basis?: TrafficReading): Promise<{ readonly changeId?: string }>;
  /** Reads back and compares; `ready: false` while the change propagates. */
  verify(green: GreenPercent, changeId?: string): Promise<Observation>;
}

export type { Verdict } from './words.js';

import type { Verdict } from './words.js';

export interface CheckResult {
  readonly name: string;
  readonly verdict: Verdict;
  readonly evidence: string;
}

/**
 * Tells when what a waiting stage looks at may have changed (a Kubernetes watch, say): calls
 * `onChange` at the first change, and stops when the returned function is called. It only brings the
 * next look forward; the stage's requeue stays the backstop, so a feed that fails or sees nothing
 * changes nothing. Lives in memory for one wait only; nothing of it is stored.
 */
export type ChangeFeed = (onChange: () => void) => () => void;

export interface Qualification {
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** Worth a person's attention but not blocking, e.g. an API deprecated in the target but still served. */
  readonly warnings?: readonly string[];
  /** When inconclusive: reports a change in what it waits on (a rollout moving), to look again then. */
  readonly wakeOn?: ChangeFeed;
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
  /**
   * Is this cluster still serving well while it holds traffic: its services available and none of
   * their containers crash-looping, failing to pull or restarting often? Asked on every pass of a bake.
   */
  servingHealth(cluster: ClusterRef): Promise<Observation>;
  /** The dry run's part of qualification: APIs blue's live objects use that `targetVersion` removed. */
  removedApis(request: { readonly blue: ClusterRef; readonly targetVersion: string }): Promise<Qualification>;
  /**
   * Starts, in the background, what qualifyFoundation will read of blue (the removed-API scan), so it
   * is ready by the time green is. A hint: it returns at once and never fails; a scan that fails is
   * simply made again when qualification asks for it.
   */
  prepareQualification(request: { readonly blue: ClusterRef; readonly targetVersion: string }): void;
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

/**
 * What a notifier is told: a promotion's event or a fleet run's. Receivers tell them apart by `kind`
 * (and, in CloudEvents, by `type`: fleet types all start with "fleet.").
 */
export type Notification = PromotionNotification | FleetNotification;

/** One stored promotion event, with the promotion's state right after it was stored. */
export interface PromotionNotification {
  readonly kind: 'promotion';
  readonly promotionId: string;
  /** Unique and stable per event: the promotion, the record version stored with it, its index. */
  readonly eventId: string;
  /** When the event was stored (ISO 8601). */
  readonly at: string;
  readonly platform: string;
  readonly type: string;
  readonly message: string;
  /** Who caused it: a person's name, or "switchyard". */
  readonly actor: string;
  readonly stage: StageName;
  readonly phase: PromotionPhase;
  /** The last weights verified at the router; blue is 100 - green. */
  readonly green: GreenPercent;
  readonly blue: number;
  readonly fromVersion: string;
  readonly toVersion: string;
}

/**
 * One stored fleet run event that matters to people (a stage started or finished, a member failed, the
 * run finished), told to one platform of the run: each member platform's team hears of its waves.
 */
export interface FleetNotification {
  readonly kind: 'fleet';
  readonly runId: string;
  /** Unique and stable per event: the run, the run version stored with it, its index. */
  readonly eventId: string;
  /** When the event was stored (ISO 8601). */
  readonly at: string;
  /** The platform told (whose notification targets receive it), a member of the run. */
  readonly platform: string;
  /**
   * fleet.stage.started, fleet.stage.awaiting-approval, fleet.stage.finished, fleet.member.failed,
   * fleet.finished (see src/fleet/fleet-notify.ts).
   */
  readonly type: string;
  readonly message: string;
  /** Who caused it: a person's name, or the controller. */
  readonly actor: string;
  readonly strategy: string;
  readonly targetVersion: string;
  /** The run's state right after the event was stored. */
  readonly runState: FleetRunState;
  /** Why the run is failed, stopped, aborted (or stopping). */
  readonly reason?: string;
  /** The stage the event is about, with its state right after it, when it is about one. */
  readonly stage?: { readonly name: string; readonly state: FleetStageState };
  /** The member the event is about, when it is about one. */
  readonly member?: {
    readonly platform: string;
    readonly state: FleetMemberState;
    readonly promotionId?: string;
  };
}

export interface PostOptions {
  /**
   * Told, once per target, when a notification could not be delivered (after retries) or was dropped.
   * The reason holds no secret (webhook URLs are scrubbed).
   */
  readonly onFailed?: (reason: string) => void;
}

/**
 * Tells people what happened. A failing notifier never blocks or fails a promotion: `post` may return
 * before delivery (queued), and a rejection is only logged.
 */
export interface Notifier {
  post(notification: Notification, options?: PostOptions): Promise<void>;
}

/** One reading of a metric. `noData` (an empty result, no datapoints) is inconclusive, never a failure. */
export type MetricResult =
  | { readonly value: number; readonly detail?: string }
  | { readonly noData: true; readonly detail: string };

/**
 * Reads one value of a metric for canary analysis. Throws when the provider cannot answer (network,
 * bad query, server error); the analysis counts that as inconclusive, never as a failure.
 */
export interface MetricProvider<Query extends MetricQuery = MetricQuery> {
  query(request: { readonly query: Query; readonly now: Date }): Promise<MetricResult>;
}

/** Everything one platform's promotion needs from the outside world. */
export interface PlatformProviders {
  readonly clusters: ClusterProvisioner;
  readonly router: TrafficRouter;
  readonly health: ClusterHealth;
  readonly services: ServiceDeployer;
  readonly notifier: Notifier;
  /** Answers every analysis query, whichever provider (CloudWatch, Prometheus, HTTP) it names. */
  readonly metrics: MetricProvider;
  /** The controller's traffic probes; without them a plan's probe is not run. */
  readonly probes?: TrafficProbes;
}
