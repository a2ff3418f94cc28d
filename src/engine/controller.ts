import type { Logger } from 'pino';
import { defaultMaxConcurrentPlatforms } from '../config/schema.js';
import * as commands from '../domain/commands.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { PlatformProviders, TrafficReading } from '../domain/ports.js';
import { type NewEvent, type NewPromotion, newPromotion, type Promotion } from '../domain/promotion.js';
import { errorMessage } from '../domain/retryable.js';
import type { Stage } from '../domain/stage.js';
import type { GreenPercent } from '../domain/weights.js';
import type { PromotionStore } from '../store/store.js';
import { PromotionEngine } from './engine.js';
import { readLiveCluster } from './live-cluster.js';
import { Reconciler, type Timers } from './reconciler.js';

export interface ControllerOptions {
  readonly store: PromotionStore;
  readonly stages: readonly Stage[];
  /** The providers of one promotion: its platform's, with blue's and green's slots in their roles. */
  readonly providersFor: (promotion: Promotion) => PlatformProviders;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly maxConcurrentPlatforms?: number;
  readonly timers?: Timers;
  /** Told how long each reconcile pass took (seconds), e.g. for a histogram. */
  readonly onPass?: (seconds: number) => void;
  /** Told of every promotion a pass reads or stores (see EngineOptions). */
  readonly observe?: (promotion: Promotion) => void;
  /**
   * Asked before every pass; false skips it (no requeue). A replica that may no longer lead (its
   * lease could have passed to another) must not start acting on providers; default always true.
   */
  readonly mayAct?: () => boolean;
}

/** Tries a command again on a lost compare-and-swap, this many times, re-reading each time. */
const commandAttempts = 5;

/**
 * What the API and CLI drive: start a promotion and act on it. Every action is a pure command applied
 * to the stored record with compare-and-swap, then the reconciler is woken so the action takes effect
 * in the same moment, not at the next tick.
 */
export class Controller {
  readonly engine: PromotionEngine;
  readonly reconciler: Reconciler;
  private readonly now: () => Date;

  constructor(private readonly options: ControllerOptions) {
    this.now = options.now ?? (() => new Date());
    this.engine = new PromotionEngine({ ...options, now: this.now });
    this.reconciler = new Reconciler({
      store: options.store,
      pass: async (id) => {
        if (options.mayAct?.() === false) {
          options.log.warn({ promotionId: id }, 'pass skipped: this replica may no longer lead');
          return {};
        }
        const started = performance.now();
        try {
          return await this.engine.pass(id);
        } finally {
          options.onPass?.((performance.now() - started) / 1000);
        }
      },
      maxConcurrent: options.maxConcurrentPlatforms ?? defaultMaxConcurrentPlatforms,
      now: this.now,
      log: options.log,
      ...(options.timers ? { timers: options.timers } : {}),
    });
  }

  start(): Promise<void> {
    return this.reconciler.start();
  }

  stop(): Promise<void> {
    return this.reconciler.stop();
  }

  async startPromotion(input: NewPromotion): Promise<Promotion> {
    const promotion = newPromotion(input, this.now());
    const created: NewEvent = {
      type: 'promotion.created',
      actor: input.createdBy,
      message: `promotion of ${input.platform} from ${input.fromVersion} to ${input.toVersion} created`,
    };
    const stored = await this.options.store.create(promotion, [created]);
    this.engine.notify(stored, [created]);
    this.reconciler.wake(stored.id);
    return stored;
  }

  rollback(id: string, request: commands.RollbackRequest): Promise<Promotion> {
    return this.apply(id, (p) => commands.requestRollback(p, request, this.now()));
  }

  pause(id: string, by: string, reason: string): Promise<Promotion> {
    return this.apply(id, (p) => commands.pause(p, by, reason));
  }

  resume(id: string, by: string): Promise<Promotion> {
    return this.apply(id, (p) => commands.resume(p, by));
  }

  approve(id: string, gateId: string | undefined, approver: commands.Approver): Promise<Promotion> {
    return this.apply(id, (p) => commands.approve(p, gateId, approver, this.now()));
  }

  setWeight(id: string, green: GreenPercent, by: string): Promise<Promotion> {
    return this.apply(id, (p) => commands.setManualWeight(p, green, by));
  }

  /**
   * Ends a promotion that cannot finish, without touching AWS. The router is read first (a read
   * changes nothing) so the record says where traffic was left; an unreadable router does not block it.
   */
  async abandon(id: string, by: string, reason: string): Promise<Promotion> {
    const promotion = await this.found(id);
    let traffic: TrafficReading | { error: string };
    try {
      traffic = await this.options.providersFor(promotion).router.read();
    } catch (error) {
      traffic = { error: errorMessage(error) };
    }
    return this.apply(id, (p) => commands.abandon(p, { by, reason, traffic }, this.now()));
  }

  /**
   * Deletes the green cluster a finished promotion left behind (after moving any traffic it still has
   * back to blue, which must still be the live cluster). Reads the facts first; the command decides.
   */
  async teardownGreen(id: string, by: string): Promise<Promotion> {
    const promotion = await this.found(id);
    const providers = this.options.providersFor(promotion);
    const record = await this.options.store.platform(promotion.platform);
    if (record === undefined) throw new NotFoundError('platform record', promotion.platform);
    const [traffic, greenCluster, live] = await Promise.all([
      providers.router.read(),
      providers.clusters.inspect(promotion.green),
      readLiveCluster(this.options.store, record),
    ]);
    return this.apply(id, (p) =>
      commands.requestGreenTeardown(p, { by, traffic, live, greenCluster }, this.now()),
    );
  }

  private async found(id: string): Promise<Promotion> {
    const promotion = await this.options.store.get(id);
    if (promotion === undefined) throw new NotFoundError('promotion', id);
    return promotion;
  }

  private async apply(id: string, command: (p: Promotion) => commands.CommandResult): Promise<Promotion> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.options.store.get(id);
      if (current === undefined) throw new NotFoundError('promotion', id);
      const { promotion, event, followedBy = [] } = command(current);
      const events = [event, ...followedBy];
      try {
        const stored = await this.options.store.update(promotion, events);
        this.engine.notify(stored, events);
        this.reconciler.wake(id);
        return stored;
      } catch (error) {
        // The reconciler wrote in between; re-read and re-check the command against the new state.
        if (!(error instanceof ConflictError) || attempt >= commandAttempts) throw error;
      }
    }
  }
}
