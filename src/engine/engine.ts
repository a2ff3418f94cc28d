import type { Logger } from 'pino';
import { requestRollback } from '../domain/commands.js';
import { ConflictError } from '../domain/errors.js';
import { retryDelayMs } from '../domain/plan.js';
import type { ChangeFeed, PlatformProviders } from '../domain/ports.js';
import { isFinished, type NewEvent, type Promotion, type TrafficState } from '../domain/promotion.js';
import { errorMessage, isRetryable } from '../domain/retryable.js';
import type { Stage, StageResult } from '../domain/stage.js';
import { nextStage, type StageName } from '../domain/stages.js';
import { recordVerifiedWeight } from '../domain/weight-move.js';
import type { GreenPercent } from '../domain/weights.js';
import type { PromotionStore } from '../store/store.js';
import { applyManualWeight } from './manual-weight.js';
import { notifyEvents } from './notify.js';
import { rollbackStep } from './rollback.js';

export interface EngineOptions {
  readonly store: PromotionStore;
  readonly stages: readonly Stage[];
  /** The providers of one promotion: its platform's, with blue's and green's slots in their roles. */
  readonly providersFor: (promotion: Promotion) => PlatformProviders;
  readonly now: () => Date;
  readonly log: Logger;
  /** Told of every promotion a pass reads or stores, e.g. to stop the traffic probe of a paused one. */
  readonly observe?: (promotion: Promotion) => void;
}

/** Undefined `requeueAfterMs`: nothing to do until something wakes the promotion. */
export interface PassOutcome {
  readonly requeueAfterMs?: number;
  /** A change this feed reports brings the requeue forward (see ChangeFeed). */
  readonly wakeOn?: ChangeFeed;
}

/** Bounds the steps one pass takes (rollback steps, stage hand-overs) before it yields to others. */
const maxStepsPerPass = 32;

/**
 * One reconcile pass over one promotion: observe the stored record, take the next step (a rollback
 * step, a manual weight, or the current stage's run), store the result with compare-and-swap, and say
 * when to look again. Keeps taking steps while they need no waiting, so a rollback request or an
 * approval acts at once. Holds nothing in memory between passes.
 */
export class PromotionEngine {
  private readonly stages: ReadonlyMap<StageName, Stage>;

  constructor(private readonly options: EngineOptions) {
    this.stages = new Map(options.stages.map((s) => [s.name, s]));
  }

  async pass(id: string): Promise<PassOutcome> {
    try {
      for (let step = 0; step < maxStepsPerPass; step++) {
        const promotion = await this.options.store.get(id);
        if (promotion !== undefined) this.options.observe?.(promotion);
        if (promotion === undefined || isFinished(promotion)) return {};
        const outcome = await this.step(promotion, this.options.providersFor(promotion));
        if (outcome !== 'continue') return outcome;
      }
      return { requeueAfterMs: 0 };
    } catch (error) {
      // Someone (an API request) changed the record while this pass worked: look again from scratch.
      // Every step is idempotent, so repeating the observation is safe.
      if (error instanceof ConflictError) return { requeueAfterMs: 0 };
      throw error;
    }
  }

  private async step(promotion: Promotion, providers: PlatformProviders): Promise<PassOutcome | 'continue'> {
    if (promotion.phase === 'rolling-back') return this.rollBack(promotion, providers);
    if (promotion.traffic.manualChange !== undefined) {
      const result = await applyManualWeight(promotion, providers, this.options.now());
      return this.save(result.promotion, result.events, result.waitMs);
    }
    if (promotion.phase !== 'running') return {};
    return this.runStage(promotion, providers);
  }

  private async rollBack(
    promotion: Promotion,
    providers: PlatformProviders,
  ): Promise<PassOutcome | 'continue'> {
    const now = this.options.now();
    try {
      const result = await rollbackStep(promotion, providers, now);
      const rollback = result.promotion.rollback;
      const next = rollback?.attempts
        ? { ...result.promotion, rollback: { ...rollback, attempts: 0 } }
        : result.promotion;
      return this.save(next, result.events, result.waitMs);
    } catch (error) {
      // A rollback never gives up: it keeps trying, with backoff, and says why in its message.
      const attempt = (promotion.rollback?.attempts ?? 0) + 1;
      const waitMs = retryDelayMs(promotion.plan.retry, attempt);
      const message = `rollback step ${promotion.rollback?.step} failed (attempt ${attempt}): ${errorMessage(error)}`;
      this.options.log.warn({ promotionId: promotion.id, err: error }, message);
      const rollback = promotion.rollback && { ...promotion.rollback, attempts: attempt, message };
      return this.save(
        { ...promotion, ...(rollback && { rollback }) },
        [{ type: 'rollback.error', actor: 'switchyard', message }],
        waitMs,
      );
    }
  }

  private async runStage(
    promotion: Promotion,
    providers: PlatformProviders,
  ): Promise<PassOutcome | 'continue'> {
    const name = promotion.currentStage;
    const stage = this.stages.get(name);
    if (stage === undefined) throw new Error(`no stage implementation for "${name}"`);
    const now = this.options.now();
    const status = promotion.stages[name];
    if (status.state === 'pending') {
      // Stored as started before its first run: a stage's first action (a weight write, a create) can
      // then never have happened while the record still says "pending", even across a crash.
      const started = startStage(promotion, name, now.toISOString());
      return this.save(started.promotion, [started.event], 0);
    }
    const timeoutMs = promotion.plan.stageTimeoutsMs[name];
    let result: StageResult;
    if (
      timeoutMs !== undefined &&
      status.startedAt &&
      now.getTime() - Date.parse(status.startedAt) > timeoutMs
    ) {
      result = {
        phase: 'failed',
        retryable: false,
        message: `timed out after ${Math.round(timeoutMs / 1000)} s: ${status.message}`,
      };
    } else {
      try {
        result = await stage.run({
          promotion,
          saved: status.saved,
          providers,
          now,
          isApproved: (gateId) => promotion.gates.some((g) => g.id === gateId && g.approvedAt !== undefined),
        });
      } catch (error) {
        result = { phase: 'failed', retryable: isRetryable(error), message: errorMessage(error) };
      }
    }
    // Stamped when the run is over, not when it began: a stage that did its work in one pass shows
    // that work's duration, and its finish time is the time of the event that says so.
    return this.applyStageResult(promotion, result, this.options.now());
  }

  /** Stores what one run of the current stage returned; `now` is when that run ended. */
  private async applyStageResult(
    promotion: Promotion,
    result: StageResult,
    now: Date,
  ): Promise<PassOutcome | 'continue'> {
    const name = promotion.currentStage;
    const status = promotion.stages[name];
    const at = now.toISOString();
    const startedAt = status.startedAt ?? at;
    const events: NewEvent[] = [];
    const withStage = (changes: Partial<typeof status>): Promotion => ({
      ...promotion,
      stages: { ...promotion.stages, [name]: { ...status, startedAt, ...changes } },
    });

    switch (result.phase) {
      case 'running': {
        const next = withStage({
          state: 'running',
          message: result.message,
          attempts: 0,
          saved: result.saved ?? status.saved,
        });
        const traffic = recordVerified(next.traffic, result.verifiedGreen, at, events);
        const outcome = await this.save({ ...next, traffic }, events, result.requeueAfterMs);
        const waiting = outcome !== 'continue' && outcome.requeueAfterMs !== undefined;
        return waiting && result.wakeOn ? { ...outcome, wakeOn: result.wakeOn } : outcome;
      }
      case 'waiting-approval': {
        const isNew = !promotion.gates.some((g) => g.id === result.gate.id);
        const gates = isNew
          ? [...promotion.gates, { ...result.gate, stage: name, openedAt: at }]
          : promotion.gates;
        if (isNew)
          events.push({
            type: 'gate.opened',
            actor: 'switchyard',
            message: result.gate.reason,
            data: { gate: result.gate.id },
          });
        const next = withStage({
          state: 'running',
          message: result.message,
          saved: result.saved ?? status.saved,
        });
        await this.save({ ...next, gates, phase: 'waiting-approval' }, events);
        return {};
      }
      case 'succeeded': {
        const done = withStage({
          state: 'succeeded',
          finishedAt: status.finishedAt ?? at,
          message: result.message,
          attempts: 0,
          saved: result.saved ?? status.saved,
        });
        const traffic = recordVerified(done.traffic, result.verifiedGreen, at, events);
        events.push({
          type: 'stage.succeeded',
          actor: 'switchyard',
          message: `${name}: ${result.message}`,
          data: { stage: name },
        });
        const following = nextStage(name);
        if (following === undefined) {
          events.push({
            type: 'promotion.succeeded',
            actor: 'switchyard',
            message: 'promotion finished: green is live, blue decommissioned',
          });
          await this.save({ ...done, traffic, phase: 'succeeded', finishedAt: at }, events);
          return {};
        }
        // The next stage is stored as started in the same write (one write per hand-over, not two).
        const next = startStage({ ...done, traffic, currentStage: following }, following, at);
        return this.save(next.promotion, [...events, next.event], 0);
      }
      case 'failed': {
        const attempts = status.attempts + 1;
        const { maxAttempts } = promotion.plan.retry;
        if (result.retryable && attempts < maxAttempts) {
          const waitMs = retryDelayMs(promotion.plan.retry, attempts);
          const message = `attempt ${attempts} of ${maxAttempts} failed, retrying in ${Math.ceil(waitMs / 1000)} s: ${result.message}`;
          events.push({
            type: 'stage.retry',
            actor: 'switchyard',
            message: `${name}: ${message}`,
            data: { stage: name, attempts },
          });
          return this.save(withStage({ state: 'running', attempts, message }), events, waitMs);
        }
        const failed = withStage({ state: 'failed', attempts, message: result.message });
        const reason = `${name} failed: ${result.message}`;
        events.push({ type: 'stage.failed', actor: 'switchyard', message: reason, data: { stage: name } });
        if (promotion.plan.rollback.automatic) {
          const rollback = requestRollback(failed, { by: 'switchyard', reason }, now);
          return this.save(
            rollback.promotion,
            [...events, rollback.event, ...(rollback.followedBy ?? [])],
            0,
          );
        }
        return this.save(
          { ...failed, phase: 'paused', pauseReason: `${reason}. Resume to try again, or roll back.` },
          events,
        );
      }
    }
  }

  /**
   * Stores the promotion (compare-and-swap) with its events and the time to look again. Returns
   * 'continue' when the next step needs no waiting, so the caller goes on in the same pass.
   */
  private async save(
    next: Promotion,
    events: readonly NewEvent[],
    waitMs?: number,
  ): Promise<PassOutcome | 'continue'> {
    const now = this.options.now();
    const { nextRunAt: _previous, ...rest } = next;
    const wait = waitMs !== undefined && waitMs > 0 ? waitMs : undefined;
    const stored = await this.options.store.update(
      wait === undefined ? rest : { ...rest, nextRunAt: new Date(now.getTime() + wait).toISOString() },
      events,
    );
    this.options.observe?.(stored);
    for (const event of events)
      this.options.log.info({ promotionId: stored.id, event: event.type }, event.message);
    this.notify(stored, events);
    if (isFinished(stored)) return {};
    if (wait !== undefined) return { requeueAfterMs: wait };
    const moreToDo =
      stored.phase === 'running' ||
      stored.phase === 'rolling-back' ||
      stored.traffic.manualChange !== undefined;
    return moreToDo ? 'continue' : {};
  }

  /**
   * Hands every stored event to the platform's notifier, in order and without waiting for delivery. A
   * failure is logged and recorded as a `notify.failed` event, appended directly (never notified).
   */
  notify(promotion: Promotion, events: readonly NewEvent[]): void {
    notifyEvents(this.options, promotion, events);
  }
}

/** The promotion with stage `name` running from `at`, and the event that says so. */
function startStage(
  promotion: Promotion,
  name: StageName,
  at: string,
): { readonly promotion: Promotion; readonly event: NewEvent } {
  const status = promotion.stages[name];
  return {
    promotion: {
      ...promotion,
      stages: {
        ...promotion.stages,
        [name]: { ...status, state: 'running', startedAt: at, message: 'started' },
      },
    },
    event: { type: 'stage.started', actor: 'switchyard', message: `${name} started`, data: { stage: name } },
  };
}

function recordVerified(
  traffic: TrafficState,
  green: GreenPercent | undefined,
  at: string,
  events: NewEvent[],
): TrafficState {
  if (green === undefined) return traffic;
  const recorded = recordVerifiedWeight(traffic, { green, reason: 'step', by: 'switchyard' }, at);
  events.push(recorded.event);
  return recorded.traffic;
}
