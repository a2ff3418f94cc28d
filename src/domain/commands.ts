/**
 * What people can ask of a promotion, as pure functions: each checks the request against the current
 * state and returns the changed record and the event to log, or throws InvalidTransitionError and
 * changes nothing. The engine stores the result with compare-and-swap and wakes the reconciler.
 */
import { InvalidTransitionError } from './errors.js';
import {
  blueTeardownStarted,
  isFinished,
  type NewEvent,
  type Promotion,
  type RollbackState,
} from './promotion.js';
import { allBlue, type GreenPercent, steppedRollbackPath } from './weights.js';

export interface CommandResult {
  readonly promotion: Promotion;
  readonly event: NewEvent;
}

export interface RollbackRequest {
  readonly by: string;
  readonly reason: string;
  /** Override the plan's policy for this rollback. */
  readonly mode?: 'instant' | 'stepped' | undefined;
  readonly green?: 'keep' | 'teardown' | undefined;
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
  const rollback: RollbackState = {
    requestedAt: now.toISOString(),
    requestedBy: request.by,
    reason: request.reason,
    mode,
    green: request.green ?? policy.green,
    step: 'check-blue',
    path: mode === 'instant' ? [allBlue] : steppedRollbackPath(promotion.traffic.green, policy.steps),
    message: 'rollback requested',
  };
  const { manualChange: _dropped, ...traffic } = promotion.traffic;
  const { pauseReason: _cleared, nextRunAt: _now, ...rest } = promotion;
  return {
    promotion: { ...rest, traffic, phase: 'rolling-back', rollback },
    event: {
      type: 'rollback.requested',
      actor: request.by,
      message: `rollback requested (${mode}, green: ${rollback.green}): ${request.reason}`,
      data: { mode, green: rollback.green, path: rollback.path },
    },
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
export function approve(
  promotion: Promotion,
  gateId: string | undefined,
  by: string,
  now: Date,
): CommandResult {
  refuseIfFinished(promotion, 'approve');
  const open = promotion.gates.filter((g) => g.approvedAt === undefined);
  if (open.length === 0) refuse(promotion, 'approve', 'it is not waiting for any approval');
  const gate = gateId === undefined ? open[0] : open.find((g) => g.id === gateId);
  if (gate === undefined || (gateId === undefined && open.length > 1)) {
    refuse(promotion, 'approve', `name one of the open gates: ${open.map((g) => g.id).join(', ')}`);
  }
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
