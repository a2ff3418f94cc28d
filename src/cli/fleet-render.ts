/**
 * The human views of fleet runs: a run as one row per stage with its members and their states, the
 * list of runs, the dry-run plan, and the one-line changes `fleet status --watch` prints in a log.
 */
import type { FleetPlan, FleetRun, FleetStrategy } from './fleet-client.js';
import { table } from './render.js';

type Member = FleetRun['members'][number];
type Stage = FleetRun['stages'][number];

const finishedStates: readonly FleetRun['state'][] = ['succeeded', 'failed', 'stopped', 'aborted'];
export const isFinishedRun = (run: Pick<FleetRun, 'state'>) => finishedStates.includes(run.state);

const membersOf = (run: FleetRun, stage: string) =>
  run.members.filter((m) => m.stage === stage).sort((a, b) => a.order - b.order);

/** "dev-1 soaking": a member and its state, with a mark when this run asked its rollback. */
function memberCell(member: Member): string {
  return `${member.platform} ${member.state}${member.rollbackRequested ? ' (rollback asked)' : ''}`;
}

function stageRow(run: FleetRun, stage: Stage): string[] {
  const members = membersOf(run, stage.name);
  const done = members.filter((m) => m.state === 'succeeded').length;
  const failed = members.filter((m) => m.state === 'failed').length;
  return [
    stage.name,
    stage.state,
    `${done}/${members.length}`,
    `${failed}/${stage.failureBudget}`,
    String(stage.concurrency),
    members.map(memberCell).join(', ') || '(no members)',
  ];
}

/** The gates still holding a stage that waits on them, each with what meets it. */
function gateLines(run: FleetRun): string[] {
  return run.stages
    .filter((stage) => stage.state === 'gated')
    .flatMap((stage) =>
      stage.gates
        .filter((status) => status.metAt === undefined)
        .map((status) =>
          status.gate.kind === 'approval'
            ? `gate      ${stage.name}: needs approval (switchyard fleet approve ${run.id} --stage ${stage.name})`
            : `gate      ${stage.name}: waits ${Math.round(status.gate.ms / 1000)}s after the previous stage`,
        ),
    );
}

export function renderFleetRun(run: FleetRun): string {
  const reason = run.reason ? ` (${run.reason})` : '';
  const stopping = run.state === 'stopping' && run.stoppingAs ? `, ending ${run.stoppingAs}` : '';
  const lines = [
    `${run.id}  ${run.strategy.name} → ${run.targetVersion}  ${run.state}${stopping}${reason}`,
    `started by ${run.createdBy} at ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
    '',
    table([
      ['STAGE', 'STATE', 'DONE', 'FAILED/BUDGET', 'AT ONCE', 'MEMBERS'],
      ...run.stages.map((stage) => stageRow(run, stage)),
    ]),
  ];
  const notes = [
    ...gateLines(run),
    ...run.stages.filter((s) => s.message).map((s) => `stage     ${s.name}: ${s.message}`),
    ...run.members
      .filter((m) => m.state === 'failed' || (m.lastError && !['succeeded', 'skipped'].includes(m.state)))
      .map(
        (m) =>
          `member    ${m.platform}: ${m.state === 'failed' ? (m.message ?? 'failed') : `retrying: ${m.lastError}`}`,
      ),
  ];
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

export function renderFleetRunList(runs: readonly FleetRun[]): string {
  if (runs.length === 0) return 'no fleet runs';
  return table([
    ['ID', 'STRATEGY', 'TARGET', 'STATE', 'MEMBERS DONE', 'CREATED'],
    ...runs.map((run) => [
      run.id,
      run.strategy.name,
      run.targetVersion,
      run.state,
      `${run.members.filter((m) => m.state === 'succeeded').length}/${run.members.length}`,
      run.createdAt,
    ]),
  ]);
}

/** Strategies as a table: each stage with its share at once, its budget and what it waits for. */
export function renderFleetStrategies(strategies: readonly FleetStrategy[]): string {
  if (strategies.length === 0) return 'no fleet strategies (add files to the controller fleetsDir)';
  const stage = (s: FleetStrategy['stages'][number]) => {
    const gates = s.after.map((gate) =>
      gate.kind === 'approval' ? 'approval' : `wait ${Math.round(gate.ms / 1000)}s`,
    );
    return `${s.name} (${s.maxConcurrency} at once${gates.length > 0 ? `, after ${gates.join(' + ')}` : ''})`;
  };
  return table([
    ['NAME', 'STAGES', 'WINDOWS'],
    ...strategies.map((s) => [s.name, s.stages.map(stage).join(' → '), String(s.windows.length)]),
  ]);
}

export function renderFleetPlan(plan: FleetPlan): string {
  const lines = [
    `${plan.strategy.name} → ${plan.targetVersion}: what a run would do now (changes nothing)`,
    '',
  ];
  const rows = [['STAGE', 'AT ONCE', 'BUDGET', 'ORDER', 'PLATFORM', 'BLOCKED BY']];
  for (const stage of plan.stages) {
    if (stage.members.length === 0)
      rows.push([stage.name, String(stage.concurrency), String(stage.failureBudget), '', '(none)', '']);
    stage.members.forEach((member, index) => {
      rows.push([
        index === 0 ? stage.name : '',
        index === 0 ? String(stage.concurrency) : '',
        index === 0 ? String(stage.failureBudget) : '',
        String(member.order + 1),
        member.platform,
        member.blockers.join('; ') || '-',
      ]);
    });
  }
  lines.push(table(rows));
  if (plan.unselected.length > 0) lines.push('', `no stage selects: ${plan.unselected.join(', ')}`);
  return lines.join('\n');
}

/**
 * What changed from one read of a run to the next, one line each (run state, stage states, member
 * states), for a log that cannot be redrawn. Nothing when nothing the view shows changed.
 */
export function fleetChanges(before: FleetRun | undefined, after: FleetRun, at: string): string[] {
  const lines: string[] = [];
  if (before?.state !== after.state)
    lines.push(`${at}  run     ${after.id} ${after.state}${after.reason ? ` (${after.reason})` : ''}`);
  for (const stage of after.stages) {
    const earlier = before?.stages.find((s) => s.name === stage.name);
    if (earlier?.state !== stage.state) lines.push(`${at}  stage   ${stage.name} ${stage.state}`);
  }
  for (const member of after.members) {
    const earlier = before?.members.find((m) => m.platform === member.platform);
    if (earlier === undefined ? member.state !== 'pending' : earlier.state !== member.state) {
      const note = member.state === 'failed' && member.message ? ` (${member.message})` : '';
      lines.push(`${at}  member  ${member.stage}/${member.platform} ${member.state}${note}`);
    }
  }
  return lines;
}

/** The closing line of a watch, in words a log search finds. */
export function fleetOutcomeLine(run: FleetRun): string {
  const done = run.members.filter((m) => m.state === 'succeeded').length;
  const failed = run.members.filter((m) => m.state === 'failed').length;
  const counts = `${done} of ${run.members.length} members succeeded, ${failed} failed`;
  return `${run.id} ${run.state}: ${counts}${run.reason ? ` (${run.reason})` : ''}`;
}
