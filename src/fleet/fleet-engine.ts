import type { Logger } from 'pino';
import type { PlatformCatalog } from '../api/catalog.js';
import { ActivePromotionExistsError, ConflictError } from '../domain/errors.js';
import type { FleetMember, FleetRun, NewFleetEvent } from '../domain/fleet.js';
import { isFinishedRun } from '../domain/fleet.js';
import { errorMessage } from '../domain/retryable.js';
import type { Controller } from '../engine/controller.js';
import type { PassOutcome } from '../engine/engine.js';
import type { PromotionStore } from '../store/store.js';
import { decide, type MemberObservation, recordStartFailure } from './decide.js';

export interface FleetEngineOptions {
  readonly store: PromotionStore;
  readonly controller: Pick<Controller, 'startPromotion' | 'rollback'>;
  readonly catalog: Pick<PlatformCatalog, 'newPromotion'>;
  readonly log: Logger;
  readonly now?: () => Date;
  /** How often a run with members in flight looks at their promotions again. */
  readonly pollMs: number;
  /** Told of every run stored with its events (notifications, metrics). */
  readonly observe?: (run: FleetRun, events: readonly NewFleetEvent[]) => void;
}

/** Who the fleet layer acts as, in promotions' records and audit: the run that asked. */
export const fleetActor = (runId: string) => `fleet:${runId}`;

/**
 * One pass of a fleet run: observe its members' promotions, decide (pure, src/fleet/decide.ts), store
 * the decision with compare-and-swap, and only then act: create the promotions of members now
 * `starting` (each id is the run's own for that platform, so a pass repeated after a crash finds the
 * promotion it made instead of making another) and ask for the rollbacks the decision names.
 */
export class FleetEngine {
  readonly #options: FleetEngineOptions;
  readonly #now: () => Date;

  constructor(options: FleetEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  async pass(runId: string): Promise<PassOutcome> {
    const { store, log } = this.#options;
    const run = await store.fleets.getRun(runId);
    if (run === undefined || isFinishedRun(run)) return {};
    const now = this.#now();
    const decision = decide(run, await this.#observe(run), now, { pollMs: this.#options.pollMs });
    let stored = run;
    if (decision.events.length > 0 || JSON.stringify(decision.run) !== JSON.stringify(run)) {
      try {
        stored = await this.#store(decision.run, decision.events);
      } catch (error) {
        // A person's command (pause, stop, abort) won the write: decide again on what it stored.
        if (error instanceof ConflictError) return { requeueAfterMs: 0 };
        throw error;
      }
    }
    for (const member of decision.start) stored = await this.#start(stored, member);
    for (const { promotionId, reason } of decision.rollback) {
      try {
        await this.#options.controller.rollback(promotionId, { by: fleetActor(run.id), reason });
      } catch (error) {
        // Already rolling back or finished: nothing left to ask; the next pass sees its phase.
        log.info({ runId, promotionId, err: error }, 'fleet: rollback of a member not taken');
      }
    }
    if (decision.start.length > 0) return { requeueAfterMs: 0 };
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  }

  /** The promotions of the members this run started: only its own ids, so only its own evidence. */
  async #observe(run: FleetRun): Promise<Map<string, MemberObservation>> {
    const observed = new Map<string, MemberObservation>();
    for (const member of run.members) {
      if (member.promotionId === undefined || member.state === 'pending') continue;
      const promotion = await this.#options.store.get(member.promotionId);
      if (promotion === undefined) continue;
      observed.set(promotion.id, {
        phase: promotion.phase,
        currentStage: promotion.currentStage,
        createdAt: promotion.createdAt,
      });
    }
    return observed;
  }

  /** Creates a starting member's promotion, unless it exists already; a refusal is recorded on the member. */
  async #start(run: FleetRun, member: FleetMember): Promise<FleetRun> {
    const { store, catalog, controller, log } = this.#options;
    const id = member.promotionId;
    if (id === undefined || (await store.get(id)) !== undefined) return run;
    try {
      const request = await catalog.newPromotion({
        id,
        platform: member.platform,
        targetVersion: run.targetVersion,
        createdBy: fleetActor(run.id),
      });
      await controller.startPromotion(request);
      log.info({ runId: run.id, platform: member.platform, promotionId: id }, 'fleet: member started');
      return run;
    } catch (error) {
      // Created by an earlier attempt whose answer was lost: it is ours, not a refusal.
      if (error instanceof ActivePromotionExistsError && error.activePromotionId === id) return run;
      const failure = recordStartFailure(run, member.platform, errorMessage(error), this.#now());
      log.warn({ runId: run.id, platform: member.platform, err: error }, 'fleet: member did not start');
      try {
        return await this.#store(failure.run, failure.events);
      } catch (conflict) {
        if (conflict instanceof ConflictError) return (await store.fleets.getRun(run.id)) ?? run;
        throw conflict;
      }
    }
  }

  async #store(next: FleetRun, events: readonly NewFleetEvent[]): Promise<FleetRun> {
    const stored = await this.#options.store.fleets.updateRun(next, events);
    this.#options.observe?.(stored, events);
    return stored;
  }
}
