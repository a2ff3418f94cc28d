/**
 * What people ask of a fleet run, as pure functions: each checks the request against the run's state
 * and returns the changed run and the event to store with it, or throws and changes nothing. The
 * engine stores the result with compare-and-swap and wakes the run's reconciler, whose `decide` does
 * the rest (skipping members never started, asking rollbacks, ending the run): one home for each rule.
 */
import { InvalidTransitionError, NotFoundError } from '../domain/errors.js';
import { type FleetRun, type FleetStageRun, isFinishedRun, type NewFleetEvent } from '../domain/fleet.js';

export interface FleetCommandResult {
  readonly run: FleetRun;
  readonly events: readonly NewFleetEvent[];
}

/** A refusal of a fleet run's verb: a 409 like a promotion's, with a message for the fleet run. */
export class FleetTransitionError extends InvalidTransitionError {
  constructor(runId: string, action: string, reason: string) {
    super(runId, action, reason);
    this.message = `cannot ${action} fleet run ${runId}: ${reason}`;
  }
}

function refuse(run: FleetRun, action: string, reason: string): never {
  throw new FleetTransitionError(run.id, action, reason);
}

function refuseIfFinished(run: FleetRun, action: string): void {
  if (isFinishedRun(run)) {
    refuse(
      run,
      action,
      `it has already finished (${run.state}); start a new run with \`switchyard fleet start\``,
    );
  }
}

function changed(
  run: FleetRun,
  next: Partial<FleetRun>,
  event: NewFleetEvent,
  now: Date,
): FleetCommandResult {
  return { run: { ...run, ...next, updatedAt: now.toISOString() }, events: [event] };
}

/** No new member starts and no stage opens; promotions already under way go on. */
export function pause(run: FleetRun, by: string, reason: string, now: Date): FleetCommandResult {
  refuseIfFinished(run, 'pause');
  if (run.state === 'paused') {
    refuse(
      run,
      'pause',
      `it is already paused (${run.reason ?? 'no reason given'}); resume it with \`switchyard fleet resume ${run.id}\``,
    );
  }
  if (run.state === 'stopping') refuse(run, 'pause', 'it is stopping: no member will start again anyway');
  return changed(
    run,
    { state: 'paused', reason },
    { type: 'fleet.paused', actor: by, message: `paused: ${reason}` },
    now,
  );
}

export function resume(run: FleetRun, by: string, now: Date): FleetCommandResult {
  refuseIfFinished(run, 'resume');
  if (run.state !== 'paused') {
    const why =
      run.state === 'stopping'
        ? 'it is stopping, which cannot be undone; start a new run for the members it skipped'
        : 'it is not paused';
    refuse(run, 'resume', why);
  }
  const { reason: _paused, ...rest } = run;
  return {
    run: { ...rest, state: 'running', updatedAt: now.toISOString() },
    events: [{ type: 'fleet.resumed', actor: by, message: 'resumed' }],
  };
}

/** Start no new member; the promotions under way go on; the run ends `stopped` when they have ended. */
export function stop(run: FleetRun, by: string, reason: string, now: Date): FleetCommandResult {
  refuseIfFinished(run, 'stop');
  if (run.state === 'stopping') {
    const as =
      run.stoppingAs === undefined
        ? 'halted after a failure'
        : `already ${run.stoppingAs === 'aborted' ? 'aborting' : 'stopping'}`;
    refuse(
      run,
      'stop',
      `it is ${as}; \`switchyard fleet abort ${run.id}\` also rolls back the members still promoting`,
    );
  }
  return changed(
    run,
    { state: 'stopping', stoppingAs: 'stopped', reason },
    { type: 'fleet.stopping', actor: by, message: `stopping: ${reason}`, data: { as: 'stopped' } },
    now,
  );
}

/**
 * As stop, and every member still promoting or soaking is rolled back; the run ends `aborted`. Also
 * allowed on a run that is stopping or halted, to roll back what those leave running.
 */
export function abort(run: FleetRun, by: string, reason: string, now: Date): FleetCommandResult {
  refuseIfFinished(run, 'abort');
  if (run.state === 'stopping' && run.stoppingAs === 'aborted') {
    refuse(run, 'abort', 'it is already aborting: its in-flight members are being rolled back');
  }
  return changed(
    run,
    { state: 'stopping', stoppingAs: 'aborted', reason },
    { type: 'fleet.stopping', actor: by, message: `aborting: ${reason}`, data: { as: 'aborted' } },
    now,
  );
}

/**
 * Meets the stage's next approval gate, while the stage waits on its gates (approving a stage that an
 * earlier stage has not let through yet would count a decision made before its evidence).
 */
export function approve(run: FleetRun, stageName: string, by: string, now: Date): FleetCommandResult {
  const index = run.stages.findIndex((stage) => stage.name === stageName);
  if (index < 0) throw new NotFoundError(`stage of fleet run ${run.id}`, stageName);
  const stage = run.stages[index] as FleetStageRun;
  refuseIfFinished(run, 'approve');
  if (run.state === 'stopping') refuse(run, 'approve', 'it is stopping: no stage opens again');
  if (stage.state !== 'gated') {
    const why =
      stage.state === 'pending'
        ? `stage ${stageName} is not reached yet: approve it once the stages before it have finished`
        : `stage ${stageName} is already ${stage.state}`;
    refuse(run, 'approve', why);
  }
  const gate = stage.gates.findIndex(
    (status) => status.gate.kind === 'approval' && status.metAt === undefined,
  );
  if (gate < 0) refuse(run, 'approve', `stage ${stageName} has no approval waiting`);
  const at = now.toISOString();
  const gates = stage.gates.map((status, i) => (i === gate ? { ...status, metAt: at, by } : status));
  const stages = run.stages.map((candidate, i) => (i === index ? { ...stage, gates } : candidate));
  return changed(
    run,
    { stages },
    {
      type: 'fleet.stage.gate-met',
      actor: by,
      message: `stage ${stageName} approved by ${by}`,
      data: { stage: stageName, gate: { kind: 'approval' } },
    },
    now,
  );
}
