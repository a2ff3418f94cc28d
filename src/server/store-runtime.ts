import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubernetesStoreConfig, StoreConfig } from '../config/store-schema.js';
import type { Controller } from '../engine/controller.js';
import { LeaseElector, type StepDownReason } from '../ha/lease-elector.js';
import { nudgeOnLeaseRelease } from '../ha/lease-watch.js';
import type { Metrics } from '../metrics.js';
import { loadKubeConfig } from '../providers/kubernetes/kubeconfig.js';
import { type KubernetesStore, openKubernetesStore } from '../store/kubernetes/store.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { PromotionStore } from '../store/store.js';

/** Something that acts only while this replica leads (the reconciler, the spec controller). */
export interface LeaderDuty {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The store this process uses and how its controller runs with it: at once with SQLite (one process
 * holds the file), or while this replica leads with the Kubernetes store (replicas share the API
 * server; every replica serves the API, one drives promotions).
 */
export interface StoreRuntime {
  readonly store: PromotionStore;
  /**
   * With the Kubernetes store: tells `listener` of every fleet run another replica wrote (a run started
   * or paused through its API), so the leader acts at once; returns what stops it.
   */
  readonly remoteFleetChanges?: (listener: (runId: string) => void) => () => void;
  /** With the Kubernetes store: the management cluster and namespace its resources live in. */
  readonly cluster?: { readonly kubeConfig: KubeConfig; readonly namespace: string };
  /**
   * Runs the controller's reconciler and the other duties: at once, or each time this replica starts
   * leading (stopped when it stops).
   */
  run(controller: Controller, duties?: readonly LeaderDuty[]): Promise<void>;
  /** Whether a pass may start now: always with SQLite; with replicas, only while the lease is surely ours. */
  mayAct(): boolean;
  /** Stops the duties, hands leadership over (when held) and closes the store. */
  close(): Promise<void>;
}

export interface StoreRuntimeOptions {
  readonly config: StoreConfig;
  readonly env: Record<string, string | undefined>;
  readonly log: Logger;
  readonly metrics: Metrics;
}

export async function openStoreRuntime(options: StoreRuntimeOptions): Promise<StoreRuntime> {
  const { config } = options;
  if (config.kind === 'kubernetes') return openReplica(config, options);
  mkdirSync(dirname(config.path), { recursive: true });
  const store = openSqliteStore(config.path);
  let duties: readonly LeaderDuty[] = [];
  return {
    store,
    mayAct: () => true,
    async run(controller, others = []) {
      duties = [controller, ...others];
      for (const duty of duties) await duty.start();
      options.metrics.leader.set(1);
    },
    async close() {
      for (const duty of [...duties].reverse()) await duty.stop();
      await store.close();
    },
  };
}

/**
 * One replica of a controller that keeps its state in the management cluster. The Lease decides who
 * leads; the leader first stamps its epoch on every unfinished promotion (so a paused former leader's
 * next write is refused), then starts its duties, and wakes a promotion whenever another replica
 * changed it (an API call answered there), so a rollback sent to any replica acts at once.
 */
async function openReplica(
  config: KubernetesStoreConfig,
  options: StoreRuntimeOptions,
): Promise<StoreRuntime> {
  const log = options.log.child({ component: 'replica' });
  const kubeConfig = managementCluster(config);
  const identity = options.env.POD_NAME || `${hostname()}-${process.pid}`;
  const elector = new LeaseElector({
    leases: kubeConfig.makeApiClient(CoordinationV1Api),
    namespace: config.namespace,
    name: config.lease.name,
    identity,
    log,
    leaseDurationMs: config.lease.duration,
    renewDeadlineMs: config.lease.renewDeadline,
    retryPeriodMs: config.lease.retryPeriod,
  });
  const store = await openKubernetesStore({
    kubeConfig,
    namespace: config.namespace,
    log: log.child({ component: 'store' }),
    epoch: () => elector.epoch,
    onSuperseded: () => elector.stepDown('fenced'),
  });
  let duties: readonly LeaderDuty[] = [];
  let stopLeaseWatch: (() => void) | undefined;

  elector.onStartedLeading(async (epoch) => {
    log.info({ identity, epoch }, 'leading: fencing unfinished promotions, then acting');
    try {
      await store.fenceActive(epoch);
    } catch (error) {
      log.error({ err: error, epoch }, 'could not fence the unfinished promotions; not acting');
      elector.stepDown('fenced');
      return;
    }
    if (elector.epoch !== epoch) return; // stepped down meanwhile
    for (const duty of duties) await duty.start();
    options.metrics.leader.set(1);
  });
  elector.onStoppedLeading(async (reason: StepDownReason) => {
    options.metrics.leader.set(0);
    log.warn({ identity, reason }, 'not leading: stopping the reconciler');
    for (const duty of [...duties].reverse()) await duty.stop();
  });

  return {
    store,
    cluster: { kubeConfig, namespace: config.namespace },
    remoteFleetChanges: (listener) =>
      store.fleets.watchAll((change) => {
        if (change.remote) listener(change.promotionId);
      }),
    mayAct: () => elector.leadsNow(),
    async run(controller, others = []) {
      // The API on this replica may call the controller, which wakes its reconciler: a follower's
      // reconciler stays stopped, and the leader hears of the write from the store's watch instead.
      await controller.stop();
      duties = [controller, wakeOnOtherReplicasWrites(store, controller), ...others];
      options.metrics.leader.set(0);
      stopLeaseWatch = nudgeOnLeaseRelease({
        kubeConfig,
        namespace: config.namespace,
        name: config.lease.name,
        nudge: () => elector.nudge(),
        log,
      });
      elector.start();
    },
    async close() {
      stopLeaseWatch?.();
      // Steps down (stopping the duties after their current pass) and releases the Lease.
      await elector.stop();
      await store.close();
    },
  };
}

/** The cluster that holds the store: a kubeconfig file's context, or else the pod's service account. */
function managementCluster(config: KubernetesStoreConfig): KubeConfig {
  if (config.kubeconfig !== undefined) return loadKubeConfig(config.kubeconfig);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster();
  return kubeConfig;
}

/** While leading: a promotion another replica changed (an API call answered there) gets a pass at once. */
function wakeOnOtherReplicasWrites(store: KubernetesStore, controller: Controller): LeaderDuty {
  let stop: (() => void) | undefined;
  return {
    async start() {
      stop = store.watchAll((change) => {
        if (change.remote) controller.reconciler.wake(change.promotionId);
      });
    },
    async stop() {
      stop?.();
      stop = undefined;
    },
  };
}

/** A duty made anew for each term of leadership (a watch that cannot be started twice). */
export function eachTerm(make: () => LeaderDuty): LeaderDuty {
  let current: LeaderDuty | undefined;
  return {
    async start() {
      current = make();
      await current.start();
    },
    async stop() {
      await current?.stop();
      current = undefined;
    },
  };
}
