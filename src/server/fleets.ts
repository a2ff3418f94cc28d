import type { Logger } from 'pino';
import type { PlatformCatalog } from '../api/catalog.js';
import {
  type FleetRun,
  type FleetStrategy,
  isFinishedRun,
  type Labels,
  type NewFleetEvent,
} from '../domain/fleet.js';
import type { Notifier } from '../domain/ports.js';
import type { Promotion } from '../domain/promotion.js';
import type { Controller } from '../engine/controller.js';
import { Reconciler } from '../engine/reconciler.js';
import { FleetController } from '../fleet/fleet-controller.js';
import { FleetEngine } from '../fleet/fleet-engine.js';
import { notifyFleetEvents } from '../fleet/fleet-notify.js';
import type { Metrics } from '../metrics.js';
import type { PromotionStore } from '../store/store.js';
import type { LeaderDuty } from './store-runtime.js';

export interface FleetLayerOptions {
  readonly store: PromotionStore;
  readonly controller: Controller;
  readonly catalog: PlatformCatalog;
  readonly strategies: ReadonlyMap<string, FleetStrategy>;
  readonly platforms: () => readonly { readonly name: string; readonly labels: Labels }[];
  readonly log: Logger;
  readonly metrics: Metrics;
  /** How often a run looks at its members' promotions when nothing woke it sooner. */
  readonly pollMs: number;
  /**
   * A platform's notifier (its Slack and webhook targets): stage transitions, failed members and the
   * run's end are told to the platforms concerned. Without it, fleet runs notify no one.
   */
  readonly notifierFor?: (platform: string) => Notifier | undefined;
  /** Runs written by another replica, where the store can tell (see StoreRuntime). */
  readonly remoteChanges?: (listener: (runId: string) => void) => () => void;
}

export interface FleetLayer {
  /** What the API serves. */
  readonly surface: FleetController;
  /** The fleet runs' reconciler: runs where promotions are driven (at once, or while leading). */
  readonly duty: LeaderDuty;
  /** A member's promotion was stored by a pass: its run looks again now rather than at its next poll. */
  promotionChanged(promotion: Promotion): void;
}

/** How many runs may take a pass at the same time (a pass mostly reads promotions). */
const concurrentRuns = 4;

export function fleetLayer(options: FleetLayerOptions): FleetLayer {
  const log = options.log.child({ component: 'fleet' });
  const gauges = fleetGauges(options.metrics);
  const { notifierFor } = options;
  // Every stored run passes here once, with its events, whichever writer stored it (a pass or a verb).
  const observe = (run: FleetRun, events: readonly NewFleetEvent[]) => {
    gauges(run);
    if (notifierFor) notifyFleetEvents({ notifierFor, log }, run, events);
  };
  const engine = new FleetEngine({
    store: options.store,
    controller: options.controller,
    catalog: options.catalog,
    log,
    pollMs: options.pollMs,
    observe,
  });
  const reconciler = new Reconciler({
    store: { active: () => options.store.fleets.activeRuns() },
    pass: (id) => engine.pass(id),
    maxConcurrent: concurrentRuns,
    now: () => new Date(),
    log,
  });
  // Not acting until started: a replica that does not lead keeps it stopped.
  void reconciler.stop();
  const surface = new FleetController({
    store: options.store,
    strategies: options.strategies,
    platforms: options.platforms,
    catalog: options.catalog,
    reconciler,
    observe,
  });
  // With replicas, a run may be created or changed (paused, aborted) through another replica's API,
  // whose reconciler is stopped: the leader hears of it from the store's watch, and, should a watch
  // event be missed, looks every poll interval for runs it does not know yet or whose stored version
  // it has not seen, and gives them a pass.
  const known = new Map<string, number>();
  let discovery: NodeJS.Timeout | undefined;
  let stopRemote: (() => void) | undefined;
  const discover = async () => {
    try {
      const active = await options.store.fleets.activeRuns();
      const ids = new Set(active.map((run) => run.id));
      for (const id of known.keys()) if (!ids.has(id)) known.delete(id);
      for (const run of active) {
        if (known.get(run.id) === run.version) continue;
        known.set(run.id, run.version);
        reconciler.wake(run.id);
      }
    } catch (error) {
      log.warn({ err: error }, 'fleet: listing unfinished runs failed; trying again at the next interval');
    }
  };
  return {
    surface,
    duty: {
      async start() {
        await reconciler.start();
        for (const run of await options.store.fleets.activeRuns()) known.set(run.id, run.version);
        discovery = setInterval(() => void discover(), options.pollMs);
        discovery.unref();
        stopRemote = options.remoteChanges?.((runId) => reconciler.wake(runId));
      },
      async stop() {
        stopRemote?.();
        clearInterval(discovery);
        known.clear();
        await reconciler.stop();
      },
    },
    promotionChanged(promotion) {
      const runId = /^fleet:(.+)$/.exec(promotion.createdBy)?.[1];
      if (runId !== undefined) reconciler.wake(runId);
    },
  };
}

/**
 * Keeps the fleet gauges at what the runs stored last say: unfinished runs are held until they finish,
 * finished ones only counted, so the gauges cost nothing per run that has ended.
 */
function fleetGauges(metrics: Metrics): (run: FleetRun) => void {
  const unfinished = new Map<string, FleetRun>();
  const finished = new Map<string, number>();
  return (run) => {
    if (isFinishedRun(run)) {
      unfinished.delete(run.id);
      finished.set(run.state, (finished.get(run.state) ?? 0) + 1);
    } else {
      unfinished.set(run.id, run);
    }
    metrics.fleetRuns.reset();
    metrics.fleetMembers.reset();
    for (const [state, count] of finished) metrics.fleetRuns.set({ state }, count);
    for (const known of unfinished.values()) {
      metrics.fleetRuns.inc({ state: known.state });
      for (const member of known.members) metrics.fleetMembers.inc({ state: member.state });
    }
  };
}
