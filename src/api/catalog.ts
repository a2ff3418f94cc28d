import type { TrafficReading } from '../domain/ports.js';
import type { NewPromotion } from '../domain/promotion.js';
import type { GreenPolicy, RollbackMode } from '../domain/words.js';
import type { PlanReport, PlatformSummary } from './types.js';

/** Per-promotion changes to the platform's rollback policy. */
export interface RollbackOverrides {
  readonly mode?: RollbackMode | undefined;
  readonly green?: GreenPolicy | undefined;
  readonly automatic?: boolean | undefined;
}

/**
 * What the API needs to know about platforms: their definitions (from config) with the live cluster
 * (from the store), how to start a promotion of one, what its router says right now, and a dry run.
 * Built from config, store and providers by the `serve` wiring; tests build it from fakes.
 */
export interface PlatformCatalog {
  list(): Promise<readonly PlatformSummary[]>;
  /** Throws NotFoundError for an unknown platform. */
  get(name: string): Promise<PlatformSummary>;
  /**
   * The next promotion of the platform: blue is the live cluster, green the other slot. Refuses what
   * cannot be done (InvalidInputError for the version, PlatformStateError for the platform's state).
   * `id` names the promotion (a Promotion resource's metadata.name); without it one is made up.
   */
  newPromotion(request: {
    readonly id?: string;
    readonly platform: string;
    readonly targetVersion: string;
    readonly createdBy: string;
    readonly rollback?: RollbackOverrides;
  }): Promise<NewPromotion>;
  /** The router as it stands, blue being the live slot's target. */
  liveTraffic(name: string): Promise<TrafficReading>;
  plan(name: string, targetVersion: string): Promise<PlanReport>;
}
