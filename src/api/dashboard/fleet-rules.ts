import { finishedFleetRunStates } from '../../domain/fleet.js';
import { type Role, roles } from '../auth.js';

/** The least role that may steer a fleet run (as in routes/fleets.ts). */
const actor: Role = 'operator';

/**
 * What the fleet view may offer and how it groups a run, as plain browser JavaScript: pure functions of
 * the caller's role and a run from the API. The fleet script embeds this source and the unit test
 * evaluates the same text, as for the promotion view's rules. The server decides in the end.
 */
export const fleetDashboardRules = `
const fleetRoleOrder = ${JSON.stringify(roles)};
const finishedRunStates = ${JSON.stringify([...finishedFleetRunStates])};

/** The buttons for a run, in display order: none for a viewer or a finished run. */
function fleetActions(role, run) {
  const have = fleetRoleOrder.indexOf(role);
  if (have < 0 || have < fleetRoleOrder.indexOf(${JSON.stringify(actor)}) || finishedRunStates.includes(run.state)) return [];
  // Only a stage that waits on its gates (its earlier stages done) may be approved.
  const approvals = run.stages
    .filter((stage) => stage.state === 'gated')
    .filter((stage) => stage.gates.some((status) => status.gate.kind === 'approval' && !status.metAt))
    .map((stage) => ({ kind: 'approve', stage: stage.name }));
  const steer = run.state === 'running' ? [{ kind: 'pause' }] : run.state === 'paused' ? [{ kind: 'resume' }] : [];
  const end = run.state === 'stopping' ? (run.stoppingAs === 'aborted' ? [] : [{ kind: 'abort' }]) : [{ kind: 'stop' }, { kind: 'abort' }];
  return [...steer, ...approvals, ...end];
}

/** A run's stages in order, each with its members in start order: the rows of the view. */
function fleetRows(run) {
  return run.stages.map((stage) => ({
    stage,
    members: run.members.filter((m) => m.stage === stage.name).sort((a, b) => a.order - b.order),
  }));
}
`;
