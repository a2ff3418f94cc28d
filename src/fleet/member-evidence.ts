import type { FleetMember, FleetMemberState, NewFleetEvent } from '../domain/fleet.js';
import type { PromotionPhase } from '../domain/promotion.js';
import type { StageName } from '../domain/stages.js';

/** What the fleet reads of a member's promotion: the engine looks it up by the member's promotion id. */
export interface MemberObservation {
  readonly phase: PromotionPhase;
  readonly currentStage: StageName;
  readonly createdAt: string;
}

/** Members this run has started (or decided to start) whose promotions have not ended for the fleet. */
export const inFlightMemberStates: ReadonlySet<FleetMemberState> = new Set([
  'starting',
  'promoting',
  'soaking',
]);
export const endedMemberStates: ReadonlySet<FleetMemberState> = new Set(['succeeded', 'failed', 'skipped']);

/**
 * Green reached: the promotion waits at the decommission gate (all traffic on green, blue kept for a
 * rollback) or has finished. Decommission itself stays a person's approval, as for any promotion.
 */
export function reachedGreen(observation: MemberObservation): boolean {
  return (
    observation.phase === 'succeeded' ||
    (observation.phase === 'waiting-approval' && observation.currentStage === 'decommission')
  );
}

/** A rollback started or the promotion was ended by hand: it will not reach green in this run. */
function turnedBack(phase: PromotionPhase): boolean {
  return phase === 'rolling-back' || phase === 'rolled-back' || phase === 'abandoned';
}

export interface Observed {
  readonly member: FleetMember;
  readonly events: readonly NewFleetEvent[];
}

function finished(member: FleetMember, state: 'succeeded' | 'failed', message: string, at: string): Observed {
  const { soakUntil: _soak, ...rest } = member;
  const kept = state === 'succeeded' && member.soakUntil !== undefined ? { soakUntil: member.soakUntil } : {};
  return {
    member: { ...rest, ...kept, state, finishedAt: at, message },
    events: [
      {
        type: 'fleet.member.finished',
        actor: 'controller',
        message: `${member.platform} ${state}: ${message}`,
        data: { platform: member.platform, stage: member.stage, state, promotionId: member.promotionId },
      },
    ],
  };
}

/**
 * A started member's next state from its promotion, counting only evidence of this run: its own
 * promotion (the id the run chose), created at or after the run's createdAt. At green it soaks for
 * `soakMs` from when the fleet first saw it there (the promotion does not say when it arrived, and
 * counting from a later moment can only make the soak longer), and succeeds only if it is still there
 * once the soak is over; a rollback or an abandon before that fails it.
 */
export function observeMember(
  member: FleetMember,
  observation: MemberObservation | undefined,
  context: { readonly runCreatedAt: string; readonly soakMs: number; readonly now: Date },
): Observed {
  const unchanged: Observed = { member, events: [] };
  const id = member.promotionId;
  if (!inFlightMemberStates.has(member.state) || id === undefined) return unchanged;
  const at = context.now.toISOString();
  if (observation === undefined) {
    // A starting member's promotion may not be created yet: the engine creates it (again) by its id.
    if (member.state === 'starting') return unchanged;
    return finished(member, 'failed', `its promotion ${id} no longer exists`, at);
  }
  if (Date.parse(observation.createdAt) < Date.parse(context.runCreatedAt)) {
    return finished(
      member,
      'failed',
      `promotion ${id} was created at ${observation.createdAt}, before this run started: not evidence of this run`,
      at,
    );
  }
  const events: NewFleetEvent[] = [];
  let next = member;
  if (next.state === 'starting') {
    const { lastError: _error, ...rest } = next;
    next = { ...rest, state: 'promoting', startedAt: observation.createdAt };
    events.push({
      type: 'fleet.member.started',
      actor: 'controller',
      message: `${member.platform}: promotion ${id} started`,
      data: { platform: member.platform, stage: member.stage, promotionId: id },
    });
  }
  if (turnedBack(observation.phase)) {
    const during = next.state === 'soaking' ? ' during the soak' : '';
    const ended = finished(next, 'failed', `promotion ${id} is ${observation.phase}${during}`, at);
    return { member: ended.member, events: [...events, ...ended.events] };
  }
  const green = reachedGreen(observation);
  if (next.state === 'soaking' && !green) {
    // Left the decommission gate without a rollback (paused there): the soak starts again on return.
    const { soakUntil: _soak, ...rest } = next;
    next = { ...rest, state: 'promoting' };
  }
  if (next.state === 'promoting') {
    if (!green) {
      const message = `promotion ${observation.phase} (${observation.currentStage})`;
      return { member: next.message === message ? next : { ...next, message }, events };
    }
    const soakUntil = new Date(context.now.getTime() + context.soakMs).toISOString();
    next = { ...next, state: 'soaking', soakUntil, message: `soaking until ${soakUntil}` };
    events.push({
      type: 'fleet.member.soaking',
      actor: 'controller',
      message: `${member.platform} reached green (${observation.phase}); soaking until ${soakUntil}`,
      data: { platform: member.platform, stage: member.stage, promotionId: id, soakUntil },
    });
  }
  if (
    next.state === 'soaking' &&
    next.soakUntil !== undefined &&
    Date.parse(next.soakUntil) <= context.now.getTime()
  ) {
    const ended = finished(next, 'succeeded', `promotion ${id} stayed green through the soak`, at);
    return { member: ended.member, events: [...events, ...ended.events] };
  }
  return { member: next, events };
}
