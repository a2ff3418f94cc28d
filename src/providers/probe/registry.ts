/**
 * The controller's running probes, one per promotion at most (the step it is on). The shift-traffic
 * stage starts, reads and stops them; the engine tells the registry about every promotion it looks at,
 * so a paused, rolling-back or finished promotion's probe is stopped even though its stage no longer runs.
 */
import type { Logger } from 'pino';
import { type ProbeReading, type ProbeStart, probeMayRun, type TrafficProbes } from '../../domain/probe.js';
import type { Promotion } from '../../domain/promotion.js';
import { errorMessage } from '../../domain/retryable.js';
import { type AddressLookup, cachingLookups, systemLookup } from './lookup.js';
import { Prober } from './prober.js';

export interface ProbeRegistryOptions {
  readonly log: Logger;
  /** How a probe finds addresses; by default `resolvers` caching resolvers of `resolver`, else the system's. */
  readonly addressesFor?: (resolver: string | undefined) => AddressLookup;
}

interface Running {
  readonly promotionId: string;
  readonly prober: Prober;
}

export class ProbeRegistry implements TrafficProbes {
  private readonly running = new Map<string, Running>();
  /** Stops under way, so stopAll can wait for sockets closed by a stop nobody awaited. */
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly options: ProbeRegistryOptions) {}

  start(request: ProbeStart): ProbeReading {
    const existing = this.running.get(request.key);
    if (existing !== undefined) return existing.prober.reading();
    for (const [key, other] of this.running) {
      if (other.promotionId === request.promotionId) this.stopInBackground(key);
    }
    const addresses =
      this.options.addressesFor?.(request.spec.resolver) ??
      (request.spec.resolver === undefined
        ? systemLookup()
        : cachingLookups(request.spec.resolver, request.spec.resolvers ?? 1));
    const prober = new Prober({
      spec: request.spec,
      clusters: request.clusters,
      part: request.part,
      addresses,
      log: this.options.log.child({ promotionId: request.promotionId, probe: request.key }),
    });
    prober.start();
    this.running.set(request.key, { promotionId: request.promotionId, prober });
    this.options.log.info(
      { promotionId: request.promotionId, probe: request.key, url: request.spec.url },
      'traffic probe started',
    );
    return prober.reading();
  }

  read(key: string): ProbeReading | undefined {
    return this.running.get(key)?.prober.reading();
  }

  verified(key: string): void {
    this.running.get(key)?.prober.verified();
  }

  async stop(key: string): Promise<ProbeReading | undefined> {
    const entry = this.running.get(key);
    if (entry === undefined) return undefined;
    this.running.delete(key);
    const reading = entry.prober.reading();
    await entry.prober.stop();
    this.options.log.info({ promotionId: entry.promotionId, probe: key }, 'traffic probe stopped');
    return reading;
  }

  /** Stops the promotion's probe unless the promotion is where a probe may run (see probeMayRun). */
  settle(promotion: Pick<Promotion, 'id' | 'phase' | 'currentStage' | 'stages'>): void {
    if (probeMayRun(promotion)) return;
    for (const [key, entry] of this.running) {
      if (entry.promotionId === promotion.id) this.stopInBackground(key);
    }
  }

  /** The number of probes running, for tests and metrics. */
  get size(): number {
    return this.running.size;
  }

  /** At shutdown: every probe stopped and its sockets closed. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((key) => this.stop(key)));
    await Promise.all(this.stopping);
  }

  private stopInBackground(key: string): void {
    const stopped = this.stop(key).then(
      () => undefined,
      (error: unknown) =>
        this.options.log.warn({ probe: key, err: errorMessage(error) }, 'probe stop failed'),
    );
    this.stopping.add(stopped);
    void stopped.finally(() => this.stopping.delete(stopped));
  }
}
