/**
 * The fleet's one decision, pure: from a stored run, what its members' promotions show now and the
 * clock, the next run record, the events to store with it, the promotions to create and to roll back,
 * and when to look again. The engine stores the record with compare-and-swap first, then acts, so a
 * crash between the two is replayed by deciding again on what was stored: a member stored `starting`
 * whose promotion is missing is returned in `start` again (the create is idempotent by its id), and a
 * rollback asked of a member is asked again until its promotion shows it.
 *
 * Deciding twice on the same inputs changes nothing the second time (same record, no events).
 */
import {
  type FleetMember,
  type FleetRun,
  type FleetStageRun,
  isFinishedRun,
  memberPromotionId,
  type NewFleetEvent,
} from '../domain/fleet.js';
import { RunDraft } from './draft.js';
import {
  endedMemberStates,
  inFlightMemberStates,
  type MemberObservation,
  observeMember,
} from './member-evidence.js';
import { checkGates } from './stage-gates.js';
import { nextStartAttemptAt } from './start-retry.js';
import { describeWindow, forwardAllowed, holdingWindows, nextWindowChange } from './windows.js';

export type { MemberObservation } from './member-evidence.js';
export { recordStartFailure } from './start-retry.js';

export interface FleetDecision {
  /** The next record (the engine stores it with compare-and-swap before acting). */
  readonly run: FleetRun;
  readonly events: readonly NewFleetEvent[];
  /** Members now `starting`: create their promotions (by their promotion ids). */
  readonly start: readonly FleetMember[];
  readonly rollback: readonly { readonly promotionId: string; readonly reason: string }[];
  /** The next soak end, wait end, retry, window change, or the poll while promotions run. */
  readonly requeueAfterMs?: number;
}

export interface DecideOptions {
  /** How often to look at running promotions when no timer comes sooner. */
  readonly pollMs: number;
}

/** A stage message saying a window holds it starts with this, so it is cleared when the window opens. */
const heldPrefix = 'held by window';

/**
 * Decides the next step of `run`. `observed` is keyed by promotion id; a missing key means that
 * promotion does not exist.
 */
export function decide(
  run: FleetRun,
  observed: ReadonlyMap<string, MemberObservation>,
  now: Date,
  options: DecideOptions,
): FleetDecision {
  if (isFinishedRun(run)) return { run, events: [], start: [], rollback: [] };
  const draft = new RunDraft(run, now);
  observeMembers(draft, observed);
  applyBudgets(draft);
  if (draft.state === 'stopping') windDown(draft, observed);
  else moveForward(draft, observed);
  finishIfDone(draft);
  const next = draft.toRun();
  return {
    run: next,
    events: draft.events,
    start: next.members.filter((member) => draft.start.has(member.platform)),
    rollback: rollbacks(next, observed),
    ...requeue(draft, next, options),
  };
}

function observeMembers(draft: RunDraft, observed: ReadonlyMap<string, MemberObservation>): void {
  for (const member of draft.members) {
    if (member.promotionId === undefined) continue;
    const result = observeMember(member, observed.get(member.promotionId), {
      runCreatedAt: draft.original.createdAt,
      soakMs: draft.spec(member.stage).memberSoakMs,
      now: draft.now,
    });
    if (result.member !== member) draft.setMember(result.member);
    draft.events.push(...result.events);
  }
}

/**
 * A running stage whose failures exceed its budget fails at once, whatever its other members are
 * doing (they go on and are still watched). Then its onFailure: continue skips the stage's members not
 * yet started and lets the next stage open; halt stops every forward step and ends the run failed once
 * in-flight members end; rollback-in-flight does the same and rolls back every member still promoting.
 */
function applyBudgets(draft: RunDraft): void {
  draft.stages.forEach((stage, index) => {
    if (stage.state !== 'running') return;
    const failed = draft.membersOf(stage.name).filter((member) => member.state === 'failed');
    if (failed.length <= stage.failureBudget) return;
    const spec = draft.spec(stage.name);
    const which = failed.map((member) => `${member.platform} (${member.message ?? 'failed'})`).join(', ');
    const message = `${failed.length} failed, over its budget of ${stage.failureBudget}: ${which}`;
    draft.setStage(index, { ...stage, state: 'failed', finishedAt: draft.at, message });
    draft.emit({
      type: 'fleet.stage.finished',
      message: `stage ${stage.name} failed: ${message}; onFailure ${spec.onFailure}`,
      data: { stage: stage.name, state: 'failed', failures: failed.length, budget: stage.failureBudget },
    });
    if (spec.onFailure === 'continue') {
      skipPending(draft, (member) => member.stage === stage.name, `stage ${stage.name} failed`);
      return;
    }
    if (spec.onFailure === 'rollback-in-flight') {
      requestRollbacks(draft, `stage ${stage.name} failed (onFailure rollback-in-flight)`);
    }
    if (draft.state === 'running' || draft.state === 'paused') {
      // stoppingAs stays unset: a halted run ends failed.
      draft.state = 'stopping';
      draft.reason = `stage ${stage.name} failed: ${message}; halted (onFailure ${spec.onFailure})`;
      draft.emit({
        type: 'fleet.stopping',
        message: `run halted: ${draft.reason}`,
        data: { stage: stage.name, onFailure: spec.onFailure },
      });
    }
  });
}

function skipPending(draft: RunDraft, which: (member: FleetMember) => boolean, why: string): void {
  for (const member of draft.members) {
    if (member.state !== 'pending' || !which(member)) continue;
    skip(draft, member, why);
  }
}

function skip(draft: RunDraft, member: FleetMember, why: string): void {
  const message = `not started: ${why}`;
  draft.setMember({ ...member, state: 'skipped', finishedAt: draft.at, message });
  draft.emit({
    type: 'fleet.member.finished',
    message: `${member.platform} skipped: ${message}`,
    data: { platform: member.platform, stage: member.stage, state: 'skipped' },
  });
}

/** Marks every member whose promotion runs for a rollback; `rollbacks` asks for it until it shows. */
function requestRollbacks(draft: RunDraft, why: string): void {
  for (const member of draft.members) {
    if (member.rollbackRequested || (member.state !== 'promoting' && member.state !== 'soaking')) continue;
    draft.setMember({ ...member, rollbackRequested: true });
    draft.emit({
      type: 'fleet.member.rollback-requested',
      message: `${member.platform}: rolling back promotion ${member.promotionId}: ${why}`,
      data: { platform: member.platform, stage: member.stage, promotionId: member.promotionId },
    });
  }
}

/**
 * Stop, abort or halt: no forward step; members never started are skipped, and so is a `starting`
 * member whose promotion does not exist (the engine acts on one decision before making the next, so
 * no create is under way). An abort rolls back whatever still promotes. Windows do not apply here.
 */
function windDown(draft: RunDraft, observed: ReadonlyMap<string, MemberObservation>): void {
  const why = draft.stoppingAs === undefined ? 'the run halted' : `the run was ${draft.stoppingAs}`;
  for (const member of draft.members) {
    const unborn =
      member.state === 'starting' && (member.promotionId === undefined || !observed.has(member.promotionId));
    if (member.state === 'pending' || unborn) skip(draft, member, why);
  }
  if (draft.stoppingAs === 'aborted') requestRollbacks(draft, `run aborted: ${draft.reason ?? ''}`);
}

/**
 * Opens stages in order and starts members, while the run is running and the windows allow forward
 * steps. Finishing a stage and meeting a wait are bookkeeping and happen even while paused or held.
 */
function moveForward(draft: RunDraft, observed: ReadonlyMap<string, MemberObservation>): void {
  const allowed = forwardAllowed(draft.original.strategy.windows, draft.now);
  const forward = draft.state === 'running' && allowed;
  for (let index = 0; index < draft.stages.length; index++) {
    let stage = draft.stages[index] as FleetStageRun;
    if (stage.state === 'succeeded' || stage.state === 'failed') continue;
    if (stage.state === 'pending') {
      stage = { ...stage, state: 'gated' };
      draft.setStage(index, stage);
      if (stage.gates.length > 0) {
        draft.emit({
          type: 'fleet.stage.gated',
          message: `stage ${stage.name} waits for its gates`,
          data: { stage: stage.name, gates: stage.gates.map((status) => status.gate) },
        });
      }
    }
    if (stage.state === 'gated') {
      if (!checkGates(draft, index, draft.original.id)) return;
      if (!forward) {
        holdIfWindowed(draft, index, allowed);
        return;
      }
      const { message: _waiting, ...opened } = draft.stages[index] as FleetStageRun;
      draft.setStage(index, { ...opened, state: 'running', startedAt: draft.at });
      draft.emit({
        type: 'fleet.stage.started',
        message: `stage ${stage.name} started: ${draft.membersOf(stage.name).length} members, at most ${stage.concurrency} at once`,
        data: { stage: stage.name },
      });
    }
    if (forward) startMembers(draft, index, observed);
    else holdIfWindowed(draft, index, allowed || !hasMembersToStart(draft, stage.name));
    if (!finishStage(draft, index)) return;
  }
}

/** Whether a window would hold anything of the stage: a member not started, or one to start again. */
function hasMembersToStart(draft: RunDraft, stage: string): boolean {
  return draft.membersOf(stage).some((member) => member.state === 'pending' || member.state === 'starting');
}

/** A window holding forward steps is said once on the stage (and in one event), cleared when it opens. */
function holdIfWindowed(draft: RunDraft, index: number, allowed: boolean): void {
  const stage = draft.stages[index] as FleetStageRun;
  const windows = draft.original.strategy.windows;
  if (allowed) {
    if (stage.message?.startsWith(heldPrefix)) {
      const { message: _held, ...rest } = stage;
      draft.setStage(index, rest);
    }
    return;
  }
  const change = nextWindowChange(windows, draft.now);
  if (change !== undefined) draft.wakeAt.push(change.getTime());
  const holding = holdingWindows(windows, draft.now).map(describeWindow).join('; ');
  const message = `${heldPrefix} (${holding}) until ${change?.toISOString() ?? 'a window opens'}`;
  if (stage.message === message) return;
  draft.setStage(index, { ...stage, message });
  draft.emit({
    type: 'fleet.window.holding',
    message: `stage ${stage.name}: ${message}`,
    data: { stage: stage.name, ...(change === undefined ? {} : { until: change.toISOString() }) },
  });
}

/**
 * Starts pending members in order while fewer than the stage's concurrency are in flight, and asks
 * again for the promotion of every `starting` member whose promotion is missing and whose backoff is
 * over. A member is stored `starting` with its promotion id before its promotion exists.
 */
function startMembers(
  draft: RunDraft,
  index: number,
  observed: ReadonlyMap<string, MemberObservation>,
): void {
  const stage = draft.stages[index] as FleetStageRun;
  holdIfWindowed(draft, index, true);
  const members = draft.membersOf(stage.name);
  for (const member of members) {
    if (member.state !== 'starting' || member.promotionId === undefined || observed.has(member.promotionId)) {
      continue;
    }
    const due = nextStartAttemptAt(member);
    if (due <= draft.now.getTime()) draft.start.add(member.platform);
    else draft.wakeAt.push(due);
  }
  let inFlight = members.filter((member) => inFlightMemberStates.has(member.state)).length;
  const pending = members.filter((member) => member.state === 'pending').sort((a, b) => a.order - b.order);
  for (const member of pending) {
    if (inFlight >= stage.concurrency) break;
    const promotionId = memberPromotionId(draft.original.id, member.platform);
    draft.setMember({ ...member, state: 'starting', promotionId, firstAttemptAt: draft.at });
    draft.start.add(member.platform);
    inFlight++;
    draft.emit({
      type: 'fleet.member.starting',
      message: `${member.platform}: starting promotion ${promotionId} to ${draft.original.targetVersion}`,
      data: { platform: member.platform, stage: stage.name, promotionId },
    });
  }
}

/** A running stage finishes when every member ended; says whether the next stage may be looked at. */
function finishStage(draft: RunDraft, index: number): boolean {
  const stage = draft.stages[index] as FleetStageRun;
  if (stage.state === 'failed') return true;
  const members = draft.membersOf(stage.name);
  if (!members.every((member) => endedMemberStates.has(member.state))) return false;
  const succeeded = members.filter((member) => member.state === 'succeeded').length;
  const message = `${succeeded} of ${members.length} members succeeded`;
  draft.setStage(index, { ...stage, state: 'succeeded', finishedAt: draft.at, message });
  draft.emit({
    type: 'fleet.stage.finished',
    message: `stage ${stage.name} succeeded: ${message}`,
    data: { stage: stage.name, state: 'succeeded' },
  });
  return true;
}

/**
 * The run ends once no member is in flight and either it was stopping (as stopped, aborted, or failed
 * for a halt) or every stage has finished (failed if any stage failed, with onFailure continue).
 */
function finishIfDone(draft: RunDraft): void {
  if (draft.members.some((member) => inFlightMemberStates.has(member.state))) return;
  let state: FleetRun['state'];
  if (draft.state === 'stopping') {
    state = draft.stoppingAs ?? 'failed';
  } else {
    if (!draft.stages.every((stage) => stage.state === 'succeeded' || stage.state === 'failed')) return;
    const failed = draft.stages.filter((stage) => stage.state === 'failed').map((stage) => stage.name);
    state = failed.length === 0 ? 'succeeded' : 'failed';
    if (failed.length > 0) draft.reason = `stages failed: ${failed.join(', ')}`;
    else draft.reason = undefined;
  }
  closeOpenStages(draft, state);
  draft.state = state;
  draft.finishedAt = draft.at;
  draft.emit({
    type: 'fleet.finished',
    message: `run ${state}${draft.reason === undefined ? '' : `: ${draft.reason}`}`,
    data: { state },
  });
}

/** A stage still running when its run ends did not get all its members through: it ends failed. */
function closeOpenStages(draft: RunDraft, state: FleetRun['state']): void {
  draft.stages.forEach((stage, index) => {
    if (stage.state !== 'running') return;
    const members = draft.membersOf(stage.name);
    const succeeded = members.filter((member) => member.state === 'succeeded').length;
    if (succeeded === members.length) {
      draft.setStage(index, { ...stage, state: 'succeeded', finishedAt: draft.at });
      return;
    }
    const message = `run ${state} before the stage finished: ${succeeded} of ${members.length} members succeeded`;
    draft.setStage(index, { ...stage, state: 'failed', finishedAt: draft.at, message });
  });
}

/**
 * Every member this run asked to roll back whose promotion does not show a rollback yet. Asked again
 * on every decision until it shows, so a crash after storing the request still rolls it back; the
 * promotion's own rollback refuses a second one, and a decommissioned promotion has nothing to return to.
 */
function rollbacks(
  run: FleetRun,
  observed: ReadonlyMap<string, MemberObservation>,
): FleetDecision['rollback'] {
  return run.members.flatMap((member) => {
    if (!member.rollbackRequested || member.promotionId === undefined) return [];
    if (member.state !== 'promoting' && member.state !== 'soaking') return [];
    const phase = observed.get(member.promotionId)?.phase;
    if (phase === undefined || phase === 'succeeded') return [];
    const reason = `fleet run ${run.id}: ${run.reason ?? 'rollback of its in-flight members'}`;
    return [{ promotionId: member.promotionId, reason }];
  });
}

function requeue(draft: RunDraft, run: FleetRun, options: DecideOptions): { requeueAfterMs?: number } {
  if (isFinishedRun(run)) return {};
  const now = draft.now.getTime();
  const instants = [...draft.wakeAt];
  for (const member of run.members) {
    if (member.state === 'soaking' && member.soakUntil !== undefined)
      instants.push(Date.parse(member.soakUntil));
  }
  const watching = run.members.some((member) => inFlightMemberStates.has(member.state));
  const delays = instants.map((instant) => Math.max(0, instant - now));
  if (watching) delays.push(options.pollMs);
  return delays.length === 0 ? {} : { requeueAfterMs: Math.min(...delays) };
}
