import { formatDuration } from '../config/duration.js';
import { NotFoundError } from '../domain/errors.js';
import type { FleetMember, FleetRun, NewFleetEvent } from '../domain/fleet.js';

/** The first retry of a failed start waits this long; each next one twice as long, up to the cap. */
export const startRetryBaseMs = 10_000;
export const startRetryMaxMs = 5 * 60_000;

/**
 * When a starting member may be tried again: its first attempt plus the backoff of every failed one.
 * Anchored to the first attempt (which the member keeps) so no extra timestamp has to be stored, and a
 * crash between attempts does not reset the schedule.
 */
export function nextStartAttemptAt(member: FleetMember): number {
  const first = member.firstAttemptAt === undefined ? 0 : Date.parse(member.firstAttemptAt);
  let wait = 0;
  for (let failed = 1; failed <= member.attempts; failed++) {
    wait += Math.min(startRetryBaseMs * 2 ** (failed - 1), startRetryMaxMs);
  }
  return first + wait;
}

/**
 * The engine could not create a starting member's promotion (platform unreachable, another promotion
 * active, a blocker). The member stays `starting` and is tried again after a backoff, until
 * memberStartDeadline has passed since its first attempt: then it fails and counts against its stage's
 * budget instead of holding the stage forever. A member that is no longer starting (the run stopped
 * meanwhile) is left as it is.
 */
export function recordStartFailure(
  run: FleetRun,
  platform: string,
  error: string,
  now: Date,
): { run: FleetRun; events: NewFleetEvent[] } {
  const member = run.members.find((candidate) => candidate.platform === platform);
  if (member === undefined) throw new NotFoundError(`member of fleet run ${run.id}`, platform);
  if (member.state !== 'starting') return { run, events: [] };
  const at = now.toISOString();
  const attempts = member.attempts + 1;
  const since = member.firstAttemptAt === undefined ? now.getTime() : Date.parse(member.firstAttemptAt);
  const deadline = run.strategy.memberStartDeadlineMs;
  const data = { platform, stage: member.stage, promotionId: member.promotionId, attempts, error };
  const events: NewFleetEvent[] = [
    {
      type: 'fleet.member.start-failed',
      actor: 'controller',
      message: `${platform}: could not start its promotion (attempt ${attempts}): ${error}`,
      data,
    },
  ];
  let next: FleetMember = { ...member, attempts, lastError: error };
  if (now.getTime() - since >= deadline) {
    const message = `could not start within memberStartDeadline (${formatDuration(deadline)}): ${error}`;
    next = { ...next, state: 'failed', finishedAt: at, message };
    events.push({
      type: 'fleet.member.finished',
      actor: 'controller',
      message: `${platform} failed: ${message}`,
      data: { ...data, state: 'failed' },
    });
  } else {
    const retryAt = new Date(nextStartAttemptAt(next)).toISOString();
    next = { ...next, message: `start failed, trying again at ${retryAt}` };
  }
  return {
    run: {
      ...run,
      members: run.members.map((candidate) => (candidate === member ? next : candidate)),
      updatedAt: at,
    },
    events,
  };
}
