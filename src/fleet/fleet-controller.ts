import { randomBytes } from 'node:crypto';
import type { PlatformCatalog } from '../api/catalog.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.js';
import type { FleetRun, FleetStrategy, Labels, NewFleetEvent } from '../domain/fleet.js';
import type { Reconciler } from '../engine/reconciler.js';
import type { PromotionStore } from '../store/store.js';
import * as commands from './commands.js';
import { fleetCreatedEvent, newFleetRun, stageMembers } from './members.js';
import type { FleetPlan, FleetRunRequest, FleetSurface } from './surface.js';

export interface FleetControllerOptions {
  readonly store: PromotionStore;
  /** The strategies of the config's fleetsDir, by name. */
  readonly strategies: ReadonlyMap<string, FleetStrategy>;
  /** Every configured platform with its labels. */
  readonly platforms: () => readonly { readonly name: string; readonly labels: Labels }[];
  readonly catalog: Pick<PlatformCatalog, 'plan'>;
  readonly reconciler: Pick<Reconciler, 'wake'>;
  readonly now?: () => Date;
  /** Told of every run stored by a command, with its events. */
  readonly observe?: (run: FleetRun, events: readonly NewFleetEvent[]) => void;
}

/** Tries a command again on a lost compare-and-swap (the fleet reconciler wrote in between). */
const commandAttempts = 5;

/**
 * The fleet layer as the API sees it: a dry run, starting a run, and the verbs on a run. Each verb is a
 * pure command (commands.ts) applied to the stored run with compare-and-swap, then the run's reconciler
 * is woken so it takes effect at once.
 */
export class FleetController implements FleetSurface {
  readonly #options: FleetControllerOptions;
  readonly #now: () => Date;

  constructor(options: FleetControllerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  async strategies(): Promise<readonly FleetStrategy[]> {
    return [...this.#options.strategies.values()];
  }

  async plan(request: FleetRunRequest): Promise<FleetPlan> {
    const strategy = this.#strategy(request.strategy);
    const selection = stageMembers(strategy, this.#options.platforms());
    const stages = await Promise.all(
      selection.stages.map(async (stage) => ({
        ...stage,
        members: await Promise.all(
          stage.members.map(async (member) => ({
            ...member,
            blockers: await this.#blockers(member.platform, request.targetVersion),
          })),
        ),
      })),
    );
    return { strategy, targetVersion: request.targetVersion, stages, unselected: selection.unselected };
  }

  async start(request: FleetRunRequest, by: string): Promise<FleetRun> {
    const strategy = this.#strategy(request.strategy);
    const now = this.#now();
    const id = `fleet-${now.toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
    const run = newFleetRun(strategy, this.#options.platforms(), request.targetVersion, id, by, now);
    const events = [fleetCreatedEvent(run)];
    const stored = await this.#options.store.fleets.createRun(run, events);
    this.#options.observe?.(stored, events);
    this.#options.reconciler.wake(stored.id);
    return stored;
  }

  get(id: string): Promise<FleetRun | undefined> {
    return this.#options.store.fleets.getRun(id);
  }

  list(filter?: { state?: FleetRun['state']; limit?: number; offset?: number }): Promise<FleetRun[]> {
    return this.#options.store.fleets.listRuns(filter);
  }

  pause(id: string, by: string, reason: string): Promise<FleetRun> {
    return this.#apply(id, (run) => commands.pause(run, by, reason, this.#now()));
  }

  resume(id: string, by: string): Promise<FleetRun> {
    return this.#apply(id, (run) => commands.resume(run, by, this.#now()));
  }

  stop(id: string, by: string, reason: string): Promise<FleetRun> {
    return this.#apply(id, (run) => commands.stop(run, by, reason, this.#now()));
  }

  abort(id: string, by: string, reason: string): Promise<FleetRun> {
    return this.#apply(id, (run) => commands.abort(run, by, reason, this.#now()));
  }

  approve(id: string, stage: string, by: string): Promise<FleetRun> {
    return this.#apply(id, (run) => commands.approve(run, stage, by, this.#now()));
  }

  #strategy(given: FleetRunRequest['strategy']): FleetStrategy {
    if (typeof given !== 'string') return given;
    const strategy = this.#options.strategies.get(given);
    if (strategy === undefined) {
      const known = [...this.#options.strategies.keys()].join(', ') || 'none';
      throw new InvalidInputError(
        'strategy',
        `no fleet strategy "${given}" (known: ${known}); add fleets/${given}.yaml or give the strategy inline`,
      );
    }
    return strategy;
  }

  /** What would refuse the platform's promotion now, or fail its qualification, as its dry run says. */
  async #blockers(platform: string, targetVersion: string): Promise<readonly string[]> {
    try {
      const plan = await this.#options.catalog.plan(platform, targetVersion);
      // APIs the target removed, still used by what blue runs, fail qualification: say so before the run.
      const removed = plan.removedApis.checks
        .filter((check) => check.verdict === 'fail')
        .map((check) => `removed APIs (${check.name}): ${check.evidence}`);
      return [...plan.blockers, ...removed];
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  }

  async #apply(
    id: string,
    command: (run: FleetRun) => { run: FleetRun; events: readonly NewFleetEvent[] },
  ): Promise<FleetRun> {
    const { fleets } = this.#options.store;
    for (let attempt = 1; ; attempt++) {
      const current = await fleets.getRun(id);
      if (current === undefined) throw new NotFoundError('fleet run', id);
      const { run, events } = command(current);
      try {
        const stored = await fleets.updateRun(run, events);
        this.#options.observe?.(stored, events);
        this.#options.reconciler.wake(id);
        return stored;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= commandAttempts) throw error;
      }
    }
  }
}
