import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Leadership } from './fencing.js';
import {
  acquiredSpec,
  holdsTerm,
  leaseExpiresAt,
  mayAcquire,
  releasedSpec,
  renewedSpec,
} from './lease-record.js';

/** The three Lease calls the elector makes; a CoordinationV1Api is one. */
export type LeaseApi = Pick<
  CoordinationV1Api,
  'createNamespacedLease' | 'readNamespacedLease' | 'replaceNamespacedLease'
>;

/** Why a replica stopped leading. */
export type StepDownReason =
  | 'renew-deadline' // no renewal succeeded within the renew deadline
  | 'lost-lease' // the Lease names another holder or another term
  | 'fenced' // a fenced write found a newer leader's epoch
  | 'stopped'; // stop() was called

export interface LeaseElectorOptions {
  readonly leases: LeaseApi;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica (the pod name); two replicas with one identity would share terms. */
  readonly identity: string;
  readonly log: Logger;
  /** How long a holder's claim lasts after its last renewal; whole seconds, as the Lease stores it. */
  readonly leaseDurationMs?: number;
  /** The holder steps down when no renewal succeeded for this long; below the lease duration. */
  readonly renewDeadlineMs?: number;
  /** Time between renewals, and between a candidate's attempts. */
  readonly retryPeriodMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The usual Kubernetes controller timings (client-go's defaults). */
export const defaultLeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

type Listener<A> = (arg: A) => void | Promise<void>;
interface Term {
  readonly epoch: number;
  /** When the last successful acquire or renew was sent: the holder's deadline counts from here. */
  renewedAt: number;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as Kubernetes controllers do it (client-node 1.x
 * has no elector). A candidate creates the Lease or takes it over once it is free or expired, with the
 * read resourceVersion as a precondition, so of two candidates exactly one wins and the other gets a
 * 409. The leader renews every retry period and steps down when no renewal succeeded within the renew
 * deadline, which ends before the lease can expire for others. Each term's epoch (leaseTransitions at
 * acquisition) is its fencing token: see fencing.ts for what it guards against.
 */
export class LeaseElector implements Leadership {
  readonly #options: LeaseElectorOptions;
  readonly #timing: typeof defaultLeaseTimings;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #started = new Set<Listener<number>>();
  readonly #stopped = new Set<Listener<StepDownReason>>();
  #term: Term | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: () => void = () => {};
  #nudged: () => void = () => {};
  readonly #stopSignal = new Promise<void>((resolve) => {
    this.#wake = resolve;
  });

  constructor(options: LeaseElectorOptions) {
    this.#options = options;
    this.#timing = {
      leaseDurationMs: options.leaseDurationMs ?? defaultLeaseTimings.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? defaultLeaseTimings.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? defaultLeaseTimings.retryPeriodMs,
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.#timing;
    if (leaseDurationMs % 1000 !== 0 || leaseDurationMs <= 0) {
      throw new Error(`lease duration must be whole seconds, got ${leaseDurationMs} ms`);
    }
    if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
      throw new Error(
        `need 0 < retry period (${retryPeriodMs} ms) < renew deadline (${renewDeadlineMs} ms) < lease duration (${leaseDurationMs} ms)`,
      );
    }
    this.#now = options.now ?? Date.now;
    // Unreferenced timers: the elector alone never keeps a process alive, and a renewal's deadline
    // timer left behind when the renewal answers first does not hold up a shutdown.
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
  }

  /** Calls `listener` with the epoch whenever this replica starts a term. Returns an unsubscribe. */
  onStartedLeading(listener: Listener<number>): () => void {
    this.#started.add(listener);
    return () => this.#started.delete(listener);
  }

  /**
   * Calls `listener` whenever this replica stops leading; it must stop acting at once. On a graceful
   * stop the Lease is released only after the listeners' promises settle, so the next leader starts
   * after this one finished its pass; nothing renews meanwhile, so a listener that takes longer than
   * the lease duration lets another replica lead first (fencing then refuses its writes). Returns an
   * unsubscribe.
   */
  onStoppedLeading(listener: Listener<StepDownReason>): () => void {
    this.#stopped.add(listener);
    return () => this.#stopped.delete(listener);
  }

  isLeader(): boolean {
    return this.#term !== undefined;
  }

  /**
   * Leading, and the last renewal is recent enough that no other replica can have taken the Lease.
   * Unlike isLeader() this reads the clock: a process that was frozen past its renew deadline (a
   * stopped VM, SIGSTOP) still has its term in memory until its election loop runs again, but must
   * not start another pass meanwhile.
   */
  leadsNow(): boolean {
    const term = this.#term;
    return term !== undefined && this.#deadlineLeft(term) > 0;
  }

  /** The current term's fencing token, or undefined when not leading. */
  get epoch(): number | undefined {
    return this.#term?.epoch;
  }

  /** Starts campaigning in the background; returns at once. */
  start(): void {
    if (this.#loop !== undefined) throw new Error('the elector was already started');
    this.#loop = this.#campaign();
  }

  /** Stops campaigning; when leading, steps down and then releases the Lease so another replica leads at once. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake();
    await this.#loop;
    const term = this.#term;
    if (term === undefined) return;
    await this.#stepDown('stopped');
    await this.#release(term);
  }

  /**
   * Makes a waiting candidate try at once instead of at its next attempt; for a watch that saw the
   * Lease released (lease-watch.ts). No effect while leading: renewals keep their period.
   */
  nudge(): void {
    if (this.#term === undefined) this.#nudged();
  }

  /** Stops leading without touching the Lease (a fenced write found a newer leader). */
  stepDown(reason: StepDownReason): void {
    void this.#stepDown(reason);
  }

  async #campaign(): Promise<void> {
    while (!this.#stopping) {
      const term = this.#term;
      if (term === undefined) {
        const retryInMs = await this.#tryAcquire();
        if (this.#term === undefined) await this.#pause(retryInMs);
        continue;
      }
      await this.#pause(Math.min(this.#timing.retryPeriodMs, this.#deadlineLeft(term)));
      if (!this.#stopping && this.#term === term) await this.#renewOrStepDown(term);
    }
  }

  /** One attempt to start a term; returns how long to wait before the next one. */
  async #tryAcquire(): Promise<number> {
    const { namespace, name, identity } = this.#options;
    const retry = this.#timing.retryPeriodMs;
    const now = this.#now();
    const seconds = this.#timing.leaseDurationMs / 1000;
    try {
      const lease = await this.#read();
      if (lease === undefined) {
        const body: V1Lease = {
          metadata: { name, namespace },
          spec: acquiredSpec(undefined, identity, seconds, now),
        };
        this.#begin(await this.#options.leases.createNamespacedLease({ namespace, body }), now);
        return retry;
      }
      if (!mayAcquire(lease.spec, identity, now)) {
        // Try again as soon as the holder's claim runs out, but no later than one retry period.
        return Math.max(0, Math.min(retry, (leaseExpiresAt(lease.spec) ?? now) - now));
      }
      const body: V1Lease = { ...lease, spec: acquiredSpec(lease.spec, identity, seconds, now) };
      this.#begin(await this.#options.leases.replaceNamespacedLease({ namespace, name, body }), now);
    } catch (error) {
      // 409: another candidate created or took the Lease between our read and our write.
      if (!isConflict(error)) this.#options.log.warn({ err: error }, 'leader election: acquire failed');
    }
    return retry;
  }

  #begin(lease: V1Lease, at: number): void {
    const term: Term = { epoch: lease.spec?.leaseTransitions ?? 0, renewedAt: at };
    this.#term = term;
    this.#options.log.info({ epoch: term.epoch, identity: this.#options.identity }, 'started leading');
    for (const listener of this.#started) void this.#notify(listener, term.epoch);
  }

  async #renewOrStepDown(term: Term): Promise<void> {
    const left = this.#deadlineLeft(term);
    if (left <= 0) return this.#stepDown('renew-deadline');
    const sentAt = this.#now();
    // A renewal still unanswered at the deadline counts as failed: the lease may expire for others soon after.
    const outcome = await Promise.race([
      this.#renew(term, sentAt),
      this.#sleep(left).then(() => 'timed-out' as const),
    ]);
    if (this.#term !== term) return;
    if (outcome === 'renewed') term.renewedAt = sentAt;
    else if (outcome === 'lost') await this.#stepDown('lost-lease');
    else if (outcome === 'timed-out') await this.#stepDown('renew-deadline');
    // 'failed': the next attempt comes after a retry period, or the deadline check steps down.
  }

  async #renew(term: Term, now: number): Promise<'renewed' | 'lost' | 'failed'> {
    const { namespace, name, identity } = this.#options;
    try {
      const lease = await this.#read();
      if (lease?.spec === undefined || !holdsTerm(lease.spec, identity, term.epoch)) return 'lost';
      const body: V1Lease = { ...lease, spec: renewedSpec(lease.spec, now) };
      await this.#options.leases.replaceNamespacedLease({ namespace, name, body });
      return 'renewed';
    } catch (error) {
      // A 409 means someone wrote the Lease since our read; the next read tells whether it is still ours.
      if (!isConflict(error)) this.#options.log.warn({ err: error }, 'leader election: renew failed');
      return 'failed';
    }
  }

  async #release(term: Term): Promise<void> {
    const { namespace, name, identity } = this.#options;
    try {
      const lease = await this.#read();
      if (lease?.spec === undefined || !holdsTerm(lease.spec, identity, term.epoch)) return;
      const body: V1Lease = { ...lease, spec: releasedSpec(lease.spec, this.#now()) };
      await this.#options.leases.replaceNamespacedLease({ namespace, name, body });
      this.#options.log.info({ epoch: term.epoch }, 'released the leader lease');
    } catch (error) {
      // Not fatal: the lease then expires after its duration and another replica takes it over.
      this.#options.log.warn({ err: error }, 'leader election: release failed');
    }
  }

  async #stepDown(reason: StepDownReason): Promise<void> {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    this.#options.log.warn({ epoch: term.epoch, reason }, 'stopped leading');
    await Promise.all([...this.#stopped].map((listener) => this.#notify(listener, reason)));
  }

  async #notify<A>(listener: Listener<A>, arg: A): Promise<void> {
    try {
      await listener(arg);
    } catch (error) {
      this.#options.log.error({ err: error }, 'leader election: a listener failed');
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    const { namespace, name } = this.#options;
    try {
      return await this.#options.leases.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  #deadlineLeft(term: Term): number {
    return term.renewedAt + this.#timing.renewDeadlineMs - this.#now();
  }

  /** Waits `ms`, or less when stop() or nudge() is called. */
  #pause(ms: number): Promise<void> {
    const nudged = new Promise<void>((resolve) => {
      this.#nudged = resolve;
    });
    return Promise.race([this.#sleep(ms), this.#stopSignal, nudged]);
  }
}

function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}
