/**
 * What people can ask of a promotion, as pure functions: each checks the request against the current
 * state and returns the changed record and the event to log, or throws InvalidTransitionError and
 * changes nothing. The engine stores the result with compare-and-swap and wakes the reconciler.
 */
import { InvalidTransitionError, NotAllowedError } from './errors.js';
import type { ClusterFacts, TrafficReading } from './ports.js';
import {
  blueTeardownStarted,
  decommissionGateId,
  isFinished,
  type NewEvent,
  type Promotion,
  type RollbackState,
} from './promotion.js';
import { madeLive } from './slots.js';
import { allBlue, type GreenPercent, steppedRollbackPath } from './weights.js';
import type { GreenPolicy, RollbackMode } from './words.js';

export interface CommandResult {
  readonly promotion: Promotion;
  readonly event: NewEvent;
  /** Events that follow the command's own, stored with it (e.g. the drain deadline it set). */
  readonly followedBy?: readonly NewEvent[];
}

export interface RollbackRequest {
  readonly by: string;
  readonly reason: string;
  /** Override the plan's policy for this rollback. */
  readonly mode?: RollbackMode | undefined;
  readonly green?: GreenPolicy | undefined;
}

function refuse(promotion: Promotion, action: string, reason: string): never {
  throw new InvalidTransitionError(promotion.id, action, reason);
}

function refuseIfFinished(promotion: Promotion, action: string): void {
  if (isFinished(promotion)) refuse(promotion, action, `it has already finished (${promotion.phase})`);
}

export function requestRollback(promotion: Promotion, request: RollbackRequest, now: Date): CommandResult {
  if (promotion.phase === 'succeeded' || blueTeardownStarted(promotion)) {
    refuse(
      promotion,
      'roll back',
      `blue cluster ${promotion.blue.name} has been decommissioned; there is nothing to return to`,
    );
  }
  refuseIfFinished(promotion, 'roll back');
  if (promotion.phase === 'rolling-back') refuse(promotion, 'roll back', 'a rollback is already in progress');

  const policy = promotion.plan.rollback;
  const mode = request.mode ?? policy.mode;
  const green = request.green ?? policy.green;
  const at = now.toISOString();
  const rollback: RollbackState = {
    requestedAt: at,
    requestedBy: request.by,
    reason: request.reason,
    mode,
    green,
    step: 'check-blue',
    path: mode === 'instant' ? [allBlue] : steppedRollbackPath(promotion.traffic.green, policy.steps),
    message: 'rollback requested',
  };
  const { manualChange: _dropped, ...traffic } = promotion.traffic;
  const { pauseReason: _cleared, nextRunAt: _now, ...rest } = promotion;
  return {
    promotion: {
      ...rest,
      stages: interrupted(promotion, `interrupted by rollback: ${request.reason}`, at),
      traffic,
      phase: 'rolling-back',
      rollback,
    },
    event: {
      type: 'rollback.requested',
      actor: request.by,
      message: `rollback requested (${mode}, green: ${green}): ${request.reason}`,
      data: { mode, green, path: rollback.path },
    },
  };
}

/** The event that says green's drain deadline is stored: no teardown starts before it. */
export function drainingEvent(drainDeadline: string): NewEvent {
  return {
    type: 'rollback.draining',
    actor: 'switchyard',
    message: `green drains until ${drainDeadline}`,
    data: { drainDeadline },
  };
}

/** The stages with the current one marked as interrupted when it was under way. */
function interrupted(promotion: Promotion, message: string, at: string): Promotion['stages'] {
  const current = promotion.stages[promotion.currentStage];
  if (current.state !== 'running') return promotion.stages;
  return {
    ...promotion.stages,
    [promotion.currentStage]: { ...current, state: 'interrupted', finishedAt: at, message },
  };
}

/**
 * Ends a promotion that cannot finish (its blue disappeared, a teardown can never succeed), where it
 * stands and without touching AWS. `traffic` is what the router showed when the admin asked, recorded
 * so everyone can see where traffic was left; the live slot does not change unless blue's teardown had
 * already begun.
 */
export function abandon(
  promotion: Promotion,
  request: {
    readonly by: string;
    readonly reason: string;
    readonly traffic: TrafficReading | { readonly error: string };
  },
  now: Date,
): CommandResult {
  refuseIfFinished(promotion, 'abandon');
  const at = now.toISOString();
  const traffic =
    'error' in request.traffic
      ? `the router could not be read (${request.traffic.error})`
      : `the router shows ${request.traffic.green ?? '?'}% to green (${request.traffic.detail})`;
  const { manualChange: _dropped, ...rest } = promotion.traffic;
  const { pauseReason: _cleared, nextRunAt: _now, ...record } = promotion;
  return {
    promotion: {
      ...record,
      stages: interrupted(promotion, `interrupted: abandoned by ${request.by}`, at),
      traffic: rest,
      phase: 'abandoned',
      finishedAt: at,
    },
    event: {
      type: 'promotion.abandoned',
      actor: request.by,
      message: `abandoned: ${request.reason}. Switchyard makes no further change in AWS for it; ${traffic}`,
      data: { traffic: request.traffic },
    },
  };
}

/**
 * Deletes the green cluster a finished promotion left behind (rolled back with green kept, or
 * abandoned), so its slot can take the next promotion's green. The rollback executor does it in its
 * safe order: when the router still sends green traffic, blue (the live cluster) must be ready and
 * takes it all back first; the drain delay is stored before any teardown starts.
 */
export function requestGreenTeardown(
  promotion: Promotion,
  request: {
    readonly by: string;
    readonly traffic: TrafficReading;
    /** The platform's live cluster now: it must still be this promotion's blue. */
    readonly live: { readonly slot: string; readonly cluster: string };
    /** What the cloud says of green now. */
    readonly greenCluster: ClusterFacts;
  },
  now: Date,
): CommandResult {
  const action = 'tear down the green cluster of';
  const name = promotion.green.name;
  if (promotion.phase === 'rolling-back')
    refuse(promotion, action, 'a rollback or teardown is already under way');
  if (!isFinished(promotion))
    refuse(promotion, action, `it is still ${promotion.phase}; roll it back instead`);
  if (madeLive(promotion)) refuse(promotion, action, `its green cluster ${name} is the live cluster now`);
  const { live } = request;
  // The teardown moves any green traffic back to this promotion's blue first: that must be the live one.
  if (live.slot !== promotion.blue.slot || live.cluster !== promotion.blue.name) {
    refuse(
      promotion,
      action,
      `its blue ${promotion.blue.name} (slot ${promotion.blue.slot}) is no longer the live cluster ` +
        `(${live.cluster} in slot ${live.slot} is): delete ${name} by hand if it is still there`,
    );
  }
  if (promotion.green.adopted)
    refuse(promotion, action, `${name} was adopted, and Switchyard never deletes an adopted cluster`);
  if (!request.greenCluster.exists) refuse(promotion, action, `${name} does not exist any more`);
  if (request.greenCluster.createdBy !== promotion.id) {
    refuse(
      promotion,
      action,
      `${name} now belongs to ${request.greenCluster.createdBy === undefined ? 'no promotion' : `promotion ${request.greenCluster.createdBy}`}, not to this one`,
    );
  }
  const green = request.traffic.green;
  if (green === undefined) {
    refuse(
      promotion,
      action,
      `the router holds something Switchyard will not interpret (${request.traffic.detail})`,
    );
  }
  const at = now.toISOString();
  const drainDeadline = new Date(now.getTime() + promotion.plan.rollback.drainDelayMs).toISOString();
  const { finishedAt: _open, ...rest } = promotion;
  const common = {
    requestedAt: at,
    requestedBy: request.by,
    reason: `tear down green cluster ${promotion.green.name}`,
    mode: 'instant',
    green: 'teardown',
    path: [allBlue],
    finalPhase: promotion.phase === 'abandoned' ? 'abandoned' : 'rolled-back',
  } as const;
  const rollback: RollbackState =
    green === 0
      ? {
          ...common,
          step: 'drain',
          drainDeadline,
          message: `green drains until ${drainDeadline}, then cluster ${promotion.green.name} is deleted`,
        }
      : { ...common, step: 'check-blue', message: `${green}% still on green: moving it to blue first` };
  return {
    promotion: { ...rest, phase: 'rolling-back', rollback },
    event: {
      type: 'teardown.requested',
      actor: request.by,
      message:
        `teardown of green cluster ${promotion.green.name} requested` +
        (green === 0 ? `; it drains until ${drainDeadline}` : `; ${green}% of traffic moves to blue first`),
      data: { green },
    },
    ...(green === 0 ? { followedBy: [drainingEvent(drainDeadline)] } : {}),
  };
}
export function pause(promotion: Promotion, by: string, reason: string): CommandResult {
  refuseIfFinished(promotion, 'pause');
  if (promotion.phase === 'rolling-back') refuse(promotion, 'pause', 'a rollback cannot be paused');
  if (promotion.phase === 'paused')
    refuse(promotion, 'pause', `it is already paused (${promotion.pauseReason ?? ''})`);
  return {
    promotion: { ...promotion, phase: 'paused', pauseReason: reason },
    event: { type: 'promotion.paused', actor: by, message: `paused: ${reason}` },
  };
}

export function resume(promotion: Promotion, by: string): CommandResult {
  if (promotion.phase !== 'paused') refuse(promotion, 'resume', `it is not paused (${promotion.phase})`);
  if (promotion.traffic.manualChange !== undefined) {
    refuse(
      promotion,
      'resume',
      `the manual weight ${promotion.traffic.manualChange.green}% is still being applied`,
    );
  }
  const { pauseReason: _cleared, nextRunAt: _now, ...rest } = promotion;
  const failed = promotion.stages[promotion.currentStage];
  // A stage that failed for good is tried again from scratch when a person resumes.
  const stages =
    failed.state === 'failed'
      ? { ...promotion.stages, [promotion.currentStage]: { ...failed, state: 'running', attempts: 0 } }
      : promotion.stages;
  const gateOpen = promotion.gates.some((g) => g.approvedAt === undefined);
  return {
    promotion: {
      ...rest,
      stages,
      phase: gateOpen ? 'waiting-approval' : 'running',
      traffic: { ...promotion.traffic, manual: false },
    },
    event: { type: 'promotion.resumed', actor: by, message: 'resumed automatic progress' },
  };
}

/** Approves the named gate, or the only open one when no name is given. */
/** Who approves, and whether they may approve the point of no return (deleting blue). */
export interface Approver {
  readonly name: string;
  readonly mayDecommission: boolean;
}

/**
 * Approves the named gate, or the only open one when no name is given. The decommission rule is
 * checked here, on the gate resolved from the record being written: a gate-less approval can never
 * reach the decommission gate for someone who may not approve it, however the gates changed.
 */
export function approve(
  promotion: Promotion,
  gateId: string | undefined,
  approver: Approver,
  now: Date,
): CommandResult {
  refuseIfFinished(promotion, 'approve');
  const open = promotion.gates.filter((g) => g.approvedAt === undefined);
  if (open.length === 0) refuse(promotion, 'approve', 'it is not waiting for any approval');
  const gate = gateId === undefined ? open[0] : open.find((g) => g.id === gateId);
  if (gate === undefined || (gateId === undefined && open.length > 1)) {
    refuse(promotion, 'approve', `name one of the open gates: ${open.map((g) => g.id).join(', ')}`);
  }
  if (gate.id === decommissionGateId && !approver.mayDecommission) {
    throw new NotAllowedError(
      `approving ${decommissionGateId} of promotion ${promotion.id} (deleting blue cluster ${promotion.blue.name}) needs the admin role`,
    );
  }
  const by = approver.name;
  const at = now.toISOString();
  const gates = promotion.gates.map((g) => (g.id === gate.id ? { ...g, approvedAt: at, approvedBy: by } : g));
  const { nextRunAt: _now, ...rest } = promotion;
  return {
    promotion: {
      ...rest,
      gates,
      phase: promotion.phase === 'waiting-approval' ? 'running' : promotion.phase,
    },
    event: { type: 'gate.approved', actor: by, message: `approved ${gate.id}`, data: { gate: gate.id } },
  };
}

/**
 * Sets the weight by hand. Allowed once traffic shifting has started (green must have passed
 * qualification first); pauses automatic stepping until resume.
 */
export function setManualWeight(promotion: Promotion, green: GreenPercent, by: string): CommandResult {
  refuseIfFinished(promotion, 'set weights of');
  if (promotion.phase === 'rolling-back')
    refuse(promotion, 'set weights of', 'a rollback owns the weights now');
  const shift = promotion.stages['shift-traffic'].state;
  if (promotion.currentStage !== 'shift-traffic' || shift === 'pending') {
    refuse(
      promotion,
      'set weights of',
      `traffic shifting has not started (current stage: ${promotion.currentStage})`,
    );
  }
  const { nextRunAt: _now, ...rest } = promotion;
  return {
    promotion: {
      ...rest,
      phase: 'paused',
      pauseReason: `manual weight ${green}% set by ${by}`,
      traffic: { ...promotion.traffic, manualChange: { green, by, applied: false }, manual: true },
    },
    event: {
      type: 'traffic.manual',
      actor: by,
      message: `manual weight ${green}% to green requested`,
      data: { green },
    },
  };
}
