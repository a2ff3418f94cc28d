import type { FleetRun, FleetStrategy, Labels } from '../domain/fleet.js';

/** A run request: a strategy by name (a file in fleetsDir) or given whole, and the target version. */
export interface FleetRunRequest {
  readonly strategy: string | FleetStrategy;
  readonly targetVersion: string;
}

/** One member as the dry run sees it: where it would go, in which order, and what would block it now. */
export interface FleetPlanMember {
  readonly platform: string;
  readonly labels: Labels;
  readonly order: number;
  /** Empty when nothing blocks it: removed APIs, a promotion already active, a version it cannot take. */
  readonly blockers: readonly string[];
}

export interface FleetPlanStage {
  readonly name: string;
  readonly concurrency: number;
  readonly failureBudget: number;
  readonly members: readonly FleetPlanMember[];
}

/** What `fleet plan` shows: stages, members, order, blockers, and the platforms no stage selects. */
export interface FleetPlan {
  readonly strategy: FleetStrategy;
  readonly targetVersion: string;
  readonly stages: readonly FleetPlanStage[];
  readonly unselected: readonly string[];
}

/**
 * What the REST API (and so the CLI and the dashboard) asks of the fleet layer. Every action is a
 * compare-and-swap write of the run, then its reconciler is woken, as for promotions. Errors are the
 * domain's (NotFoundError, InvalidInputError, PlatformStateError-like refusals → 4xx).
 */
export interface FleetSurface {
  strategies(): Promise<readonly FleetStrategy[]>;
  plan(request: FleetRunRequest): Promise<FleetPlan>;
  start(request: FleetRunRequest, by: string): Promise<FleetRun>;
  get(id: string): Promise<FleetRun | undefined>;
  list(filter?: { state?: FleetRun['state']; limit?: number; offset?: number }): Promise<FleetRun[]>;
  pause(id: string, by: string, reason: string): Promise<FleetRun>;
  resume(id: string, by: string): Promise<FleetRun>;
  /** Start no new member; in-flight promotions go on; the run ends 'stopped'. */
  stop(id: string, by: string, reason: string): Promise<FleetRun>;
  /** As stop, and roll back every member still promoting; the run ends 'aborted'. */
  abort(id: string, by: string, reason: string): Promise<FleetRun>;
  /** Meets a stage's approval gate. */
  approve(id: string, stage: string, by: string): Promise<FleetRun>;
}
