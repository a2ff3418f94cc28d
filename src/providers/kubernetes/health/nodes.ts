import type { V1Node } from '@kubernetes/client-node';
import type { CheckResult, Verdict } from '../../../domain/ports.js';
import { type KubeClients, listAll } from './kube-client.js';
import type { NodeSpec } from './spec.js';
import { findCondition, listSome, plural } from './verdict.js';

const pressureTypes = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/**
 * Counts nodes that are Ready and not cordoned against `expectedReady`. Fewer → fail, unless the
 * shortfall is made up of nodes whose kubelet has not reported a Ready condition yet (inconclusive).
 * Any node under memory, disk or PID pressure → fail, unless pressure is allowed. No nodes while none
 * are expected → pass.
 */
export function judgeNodes(nodes: readonly V1Node[], spec: NodeSpec): CheckResult {
  const scope = spec.selector ? ` matching "${spec.selector}"` : '';
  const ready: string[] = [];
  const notReady: string[] = [];
  const unreported: string[] = [];
  const pressured: string[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name ?? '(unnamed)';
    const conditions = node.status?.conditions;
    const readyCondition = findCondition(conditions, 'Ready');
    const pressure = pressureTypes.filter((type) => findCondition(conditions, type)?.status === 'True');
    if (pressure.length > 0) pressured.push(`${name} (${pressure.join(', ')})`);
    if (readyCondition === undefined) unreported.push(name);
    else if (readyCondition.status !== 'True') {
      const why = [readyCondition.reason, readyCondition.message].filter(Boolean).join(': ');
      notReady.push(`${name} Ready=${readyCondition.status}${why ? ` (${why})` : ''}`);
    } else if (node.spec?.unschedulable) notReady.push(`${name} cordoned`);
    else ready.push(name);
  }

  const parts = [
    `${ready.length} of ${plural(nodes.length, 'node')}${scope} ready, ${spec.expectedReady} expected`,
  ];
  if (notReady.length > 0) parts.push(`not ready: ${listSome(notReady)}`);
  if (unreported.length > 0) parts.push(`no status yet: ${listSome(unreported)}`);
  if (pressured.length > 0) {
    parts.push(`under pressure${spec.allowPressure ? ' (allowed)' : ''}: ${listSome(pressured)}`);
  }

  let verdict: Verdict;
  if (pressured.length > 0 && !spec.allowPressure) verdict = 'fail';
  else if (ready.length >= spec.expectedReady) verdict = 'pass';
  else if (ready.length + unreported.length >= spec.expectedReady) verdict = 'inconclusive';
  else verdict = 'fail';
  return { name: 'nodes', verdict, evidence: parts.join('; ') };
}

export async function checkNodes(clients: KubeClients, spec: NodeSpec): Promise<CheckResult> {
  const action = spec.selector ? `list nodes matching "${spec.selector}"` : 'list nodes';
  const nodes = await listAll(clients, action, (page, options) =>
    clients.core.listNode(spec.selector ? { ...page, labelSelector: spec.selector } : page, options),
  );
  return judgeNodes(nodes, spec);
}
