/**
 * Fleet upgrades in waves: one run of a strategy moves many platforms to a target version, stage by
 * stage (dev before staging before production), a few at a time, with a soak before a member counts and a
 * failure budget per stage. The fleet layer only creates ordinary promotions, watches their phases and
 * enforces concurrency, budgets, soaks, gates and windows; each promotion does the work as always.
 *
 * Two rules from the incidents of fleet tools: a member counts as done only from evidence of this run
 * (its own promotion, created by this run, after it started), never from a status that was already
 * there; and windows and gates hold forward steps only, never a rollback.
 */

/** A platform's labels, as in its file (`labels: {env: prod, tier: "1"}`). */
export type Labels = Readonly<Record<string, string>>;

/** A count or a share of a stage's members: 3, or "50%" (rounded up; a share is at least 1). */
export type CountOrPercent = number | `${number}%`;

export const fleetFailureActions = ['halt', 'rollback-in-flight', 'continue'] as const;
/**
 * What a run does when a stage's failures exceed its budget. halt: start no new member anywhere, let
 * in-flight promotions finish, end the run failed. rollback-in-flight: as halt, and roll back every
 * member still promoting. continue: mark the stage failed and go on with the next one.
 */
export type FleetFailureAction = (typeof fleetFailureActions)[number];

/** What must happen before a stage starts (all of a stage's gates, in order). */
export type FleetGate =
  /** A person approves the stage: `switchyard fleet approve <run> --stage <name>`. */
  | { readonly kind: 'approval' }
  /** A timed wait after the previous stage finished (or after the run started, for the first). */
  | { readonly kind: 'wait'; readonly ms: number };

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/**
 * A time window in UTC on some weekdays (all days when absent); `start`/`end` as minutes after
 * midnight, end exclusive, end > start (a window over midnight is two windows). Forward steps (starting
 * a member, opening a stage) happen only outside every deny window and, when allow windows exist,
 * inside one of them. Rollbacks, pauses, stops and aborts ignore windows.
 */
export interface FleetWindow {
  readonly kind: 'allow' | 'deny';
  readonly days?: readonly Weekday[];
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface FleetStageSpec {
  readonly name: string;
  /** Platforms whose labels contain all of these. */
  readonly selector: Labels;
  readonly maxConcurrency: CountOrPercent;
  /** Failures allowed before onFailure applies (0: the first failure applies it). */
  readonly maxFailures: CountOrPercent;
  /** How long a member's promotion must stay at the decommission gate (or succeeded) before it counts. */
  readonly memberSoakMs: number;
  readonly after: readonly FleetGate[];
  readonly onFailure: FleetFailureAction;
  /** Members start in ascending order of this label's value (then by name); absent: by name. */
  readonly orderBy?: string;
}

/** A strategy: the config file `fleets/<name>.yaml` (or inline in a run request), parsed. */
export interface FleetStrategy {
  readonly name: string;
  readonly stages: readonly FleetStageSpec[];
  readonly windows: readonly FleetWindow[];
  /**
   * How long a member may keep failing to start (platform unreachable, another promotion active)
   * before it counts as failed against its stage's budget instead of blocking the stage forever.
   */
  readonly memberStartDeadlineMs: number;
}

export const fleetRunStates = [
  'running',
  'paused',
  'stopping',
  'succeeded',
  'failed',
  'stopped',
  'aborted',
] as const;
/**
 * running: starting members and opening stages. paused: a person paused it (no new member, no stage
 * opens; in-flight promotions go on). stopping: stop or abort asked, waiting for in-flight members to
 * end. succeeded / failed / stopped / aborted: finished.
 */
export type FleetRunState = (typeof fleetRunStates)[number];
export const finishedFleetRunStates: ReadonlySet<FleetRunState> = new Set([
  'succeeded',
  'failed',
  'stopped',
  'aborted',
]);

export const fleetStageStates = ['pending', 'gated', 'running', 'succeeded', 'failed'] as const;
/** pending: an earlier stage runs. gated: its gates are not all met. running: members start. */
export type FleetStageState = (typeof fleetStageStates)[number];

export interface FleetGateStatus {
  readonly gate: FleetGate;
  /** When it was met (approval given, wait over); absent while it holds the stage. */
  readonly metAt?: string;
  readonly by?: string;
}

export interface FleetStageRun {
  readonly name: string;
  readonly state: FleetStageState;
  readonly gates: readonly FleetGateStatus[];
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The budget as a number, fixed when the run started (from maxFailures and the member count). */
  readonly failureBudget: number;
  /** Concurrency as a number, fixed when the run started. */
  readonly concurrency: number;
  readonly message?: string;
}

export const fleetMemberStates = [
  'pending',
  'starting',
  'promoting',
  'soaking',
  'succeeded',
  'failed',
  'skipped',
] as const;
/**
 * pending: not started. starting: this run decided to start it and stored the promotion id it will
 * use, so a crash between the decision and the promotion's creation neither starts it twice nor skips
 * it. promoting: its promotion runs. soaking: its promotion reached the decommission gate (or
 * succeeded) and must stay there for the soak. succeeded / failed: counted. skipped: never started (the
 * run halted, stopped or was aborted first).
 */
export type FleetMemberState = (typeof fleetMemberStates)[number];

export interface FleetMember {
  readonly platform: string;
  readonly stage: string;
  /** Start order within its stage (0 first). */
  readonly order: number;
  readonly state: FleetMemberState;
  /** Set when the run decides to start it: `${platform}-${run id}` (deterministic: one per run). */
  readonly promotionId?: string;
  /** When the run first tried to start it (the start deadline counts from here). */
  readonly firstAttemptAt?: string;
  readonly attempts: number;
  readonly lastError?: string;
  /** When its promotion was created (evidence of this run: never before the run's createdAt). */
  readonly startedAt?: string;
  readonly soakUntil?: string;
  readonly finishedAt?: string;
  /** Why it failed or was skipped, or the promotion's last phase. */
  readonly message?: string;
  /** A rollback of its promotion was asked by this run (abort, rollback-in-flight). */
  readonly rollbackRequested?: boolean;
}

export interface FleetRun {
  readonly id: string;
  /** Compare-and-swap version, as for promotions. */
  readonly version: number;
  readonly strategy: FleetStrategy;
  readonly targetVersion: string;
  readonly state: FleetRunState;
  /** Why it is paused, stopping, failed, stopped or aborted. */
  readonly reason?: string;
  /**
   * What to do once stopping ends: 'stopped' or 'aborted'. Absent while stopping: a stage's failures
   * exceeded its budget with onFailure halt or rollback-in-flight, and the run ends 'failed'.
   */
  readonly stoppingAs?: 'stopped' | 'aborted';
  readonly stages: readonly FleetStageRun[];
  readonly members: readonly FleetMember[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly nextRunAt?: string;
}

export const fleetEventTypes = [
  'fleet.created',
  'fleet.paused',
  'fleet.resumed',
  'fleet.stopping',
  'fleet.finished',
  'fleet.stage.gated',
  'fleet.stage.gate-met',
  'fleet.stage.started',
  'fleet.stage.finished',
  'fleet.member.starting',
  'fleet.member.start-failed',
  'fleet.member.started',
  'fleet.member.soaking',
  'fleet.member.finished',
  'fleet.member.rollback-requested',
  'fleet.window.holding',
] as const;
export type FleetEventType = (typeof fleetEventTypes)[number];

export interface FleetEvent {
  readonly seq: number;
  readonly runId: string;
  readonly at: string;
  readonly type: FleetEventType;
  readonly message: string;
  readonly actor: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export type NewFleetEvent = Omit<FleetEvent, 'seq' | 'runId' | 'at'>;

export function isFinishedRun(run: Pick<FleetRun, 'state'>): boolean {
  return finishedFleetRunStates.has(run.state);
}

/** The promotion id a run uses for a member: one per platform per run, so a retry finds the same one. */
export function memberPromotionId(runId: string, platform: string): string {
  return `${platform}-${runId}`;
}

/** A count or share of `total`, as a whole number (shares round up; a share of a non-empty stage is ≥ 1). */
export function resolveCount(value: CountOrPercent, total: number): number {
  if (typeof value === 'number') return value;
  const share = Number(value.slice(0, -1));
  const count = Math.ceil((share / 100) * total);
  return total > 0 && share > 0 ? Math.max(1, count) : count;
}
