import { decommissionGateId, finishedPhases } from '../../domain/promotion.js';
import { type Role, roles } from '../auth.js';

/** The least role that may change a promotion, and the one that may approve deleting blue (as in routes/promotions.ts). */
const actor: Role = 'operator';
const decommissioner: Role = 'admin';

/**
 * What the dashboard may offer, as plain browser JavaScript: pure functions of the caller's role (from
 * GET /v1/me) and a promotion from the API. The script embeds this source, and the unit test evaluates
 * the same text, so the rules the browser runs are the rules that are tested. The names they depend on
 * (roles in rank order, the decommission gate, the finished phases) come from the domain, not copies.
 * The server decides in the end; these rules only keep people from pressing buttons that answer 403.
 */
export const dashboardRules = `
const roleOrder = ${JSON.stringify(roles)};
const decommissionGate = ${JSON.stringify(decommissionGateId)};
const finishedPhases = ${JSON.stringify([...finishedPhases])};

/** True when the role is at least the needed one; an unknown role (not signed in yet) may do nothing. */
function mayAct(role, need) {
  const have = roleOrder.indexOf(role);
  return have >= 0 && have >= roleOrder.indexOf(need);
}

/** Whether the caller may start a promotion. */
function mayStart(role) {
  return mayAct(role, ${JSON.stringify(actor)});
}

/**
 * The buttons for a promotion, in display order: none for a viewer or a finished promotion; pause,
 * resume, weight and rollback for an operator; one approve per open gate, except the decommission gate
 * (deleting blue), which only an admin sees.
 */
function promotionActions(role, promotion) {
  if (!mayAct(role, ${JSON.stringify(actor)}) || finishedPhases.includes(promotion.phase)) return [];
  const gates = promotion.gates
    .filter((gate) => !gate.approvedAt)
    .filter((gate) => gate.id !== decommissionGate || mayAct(role, ${JSON.stringify(decommissioner)}));
  return [
    { kind: 'pause' },
    { kind: 'resume' },
    { kind: 'weight' },
    { kind: 'rollback' },
    ...gates.map((gate) => ({ kind: 'approve', gate: gate.id, confirm: gate.id === decommissionGate })),
  ];
}

/**
 * Checks what the person typed to confirm deleting blue: it must be blue's cluster name exactly (spaces
 * around it aside). Returns whether to send the approval and what to tell the person.
 */
function checkDecommissionConfirmation(typed, promotion) {
  const expected = promotion.blue.name;
  if (typed === null || typed === undefined || typed.trim() === '')
    return { send: false, message: 'approve ' + decommissionGate + ': cancelled; nothing was sent' };
  if (typed.trim() !== expected)
    return {
      send: false,
      message: 'approve ' + decommissionGate + ': "' + typed.trim() + '" is not the blue cluster\\'s name (' + expected + '); nothing was sent',
    };
  return { send: true, message: '' };
}
`;
