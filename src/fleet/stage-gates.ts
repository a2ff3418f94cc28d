import { formatDuration } from '../config/duration.js';
import type { FleetGateStatus, FleetStageRun } from '../domain/fleet.js';
import type { RunDraft } from './draft.js';

/** When the stage's timed waits count from: the previous stage's end, or the run's start for the first. */
function waitBase(draft: RunDraft, index: number): number {
  const previous = index === 0 ? undefined : draft.stages[index - 1];
  return Date.parse(previous?.finishedAt ?? draft.original.createdAt);
}

export function describeGate(status: FleetGateStatus): string {
  return status.gate.kind === 'approval' ? 'approval' : `wait ${formatDuration(status.gate.ms)}`;
}

/**
 * Meets the stage's timed waits whose time has come (met at the instant the wait ended, not when this
 * pass noticed, so the record does not depend on when the controller looked) and says whether every
 * gate is met. A wait still running is a wake-up instant; an approval waits for a person.
 */
export function checkGates(draft: RunDraft, index: number, runId: string): boolean {
  const stage = draft.stages[index] as FleetStageRun;
  const base = waitBase(draft, index);
  let changed = false;
  const gates = stage.gates.map((status) => {
    if (status.metAt !== undefined || status.gate.kind !== 'wait') return status;
    const endsAt = base + status.gate.ms;
    if (endsAt > draft.now.getTime()) {
      draft.wakeAt.push(endsAt);
      return status;
    }
    changed = true;
    const metAt = new Date(endsAt).toISOString();
    draft.emit({
      type: 'fleet.stage.gate-met',
      message: `stage ${stage.name}: ${describeGate(status)} over at ${metAt}`,
      data: { stage: stage.name, gate: status.gate },
    });
    return { ...status, metAt };
  });
  const waiting = gates.filter((status) => status.metAt === undefined);
  const approval = waiting.some((status) => status.gate.kind === 'approval');
  const message = approval
    ? `waiting for approval: switchyard fleet approve ${runId} --stage ${stage.name}`
    : waiting.length > 0
      ? `waiting until ${new Date(base + Math.max(...waiting.map((status) => (status.gate.kind === 'wait' ? status.gate.ms : 0)))).toISOString()}`
      : stage.message;
  if (changed || message !== stage.message) {
    draft.setStage(index, { ...stage, gates, ...(message === undefined ? {} : { message }) });
  }
  return waiting.length === 0;
}
