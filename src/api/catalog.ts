import type { TrafficReading } from '../domain/ports.js';
import type { NewPromotion } from '../domain/promotion.js';
import type { PlanReport, PlatformSummary } from './types.js';

/** Per-promotion changes to the platform's rollback policy. */
export interface RollbackOverrides {
  readonly mode?: 'instant' | 'stepped' | undefined;
  readonly green?: 'keep' | 'teardown' | undefined;
  readonly automatic?: boolean | undefined;
}

/**
 * What the API needs to know about platforms: their definitions (from config), how to start a
 * promotion of one, what its router says right now, and a dry run. Built from config and providers by
 * the `serve` wiring; tests build it from fakes.
 */
export interface PlatformCatalog {
  list(): readonly PlatformSummary[];
  /** Throws NotFoundError for an unknown platform. */
  get(name: string): PlatformSummary;
  newPromotion(request: {
    readonly platform: string;
    readonly targetVersion: string;
    readonly createdBy: string;
    readonly rollback?: RollbackOverrides;
  }): Promise<NewPromotion>;
  liveTraffic(name: string): Promise<TrafficReading>;
  plan(name: string, targetVersion: string): Promise<PlanReport>;
}
