import type { V1Pod } from '@kubernetes/client-node';
import type { CheckResult } from '../../../domain/ports.js';
import { describeScope, podName } from './pods.js';
import type { ResolvedPodActivity } from './spec.js';
import { findCondition, listSome, plural, toDate } from './verdict.js';

/**
 * Pending pods the scheduler could not place (PodScheduled=False, reason Unschedulable: what a
 * FailedScheduling event leaves on the pod). Unschedulable for longer than the grace → fail; only for
 * less (an autoscaler may still add a node) → inconclusive.
 */
export function judgeUnscheduledPods(
  pods: readonly V1Pod[],
  spec: ResolvedPodActivity,
  now: Date,
): CheckResult {
  const stuck: string[] = [];
  const recent: string[] = [];
  for (const pod of pods) {
    if (pod.status?.phase !== 'Pending') continue;
    const scheduled = findCondition(pod.status.conditions, 'PodScheduled');
    if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') continue;
    const since = toDate(scheduled.lastTransitionTime);
    const forMs = since ? now.getTime() - since.getTime() : Number.POSITIVE_INFINITY;
    const line = `${podName(pod)}: ${scheduled.message ?? 'unschedulable'}`;
    if (forMs >= spec.unschedulableGraceMs) stuck.push(line);
    else recent.push(`${line} (for ${Math.max(0, Math.round(forMs / 1000))} s)`);
  }
  const name = 'unscheduled-pods';
  const scope = describeScope(spec.namespaces);
  if (stuck.length > 0) {
    return {
      name,
      verdict: 'fail',
      evidence: `${plural(stuck.length, 'pod')} unschedulable in ${scope}: ${listSome(stuck)}`,
    };
  }
  if (recent.length > 0) {
    return {
      name,
      verdict: 'inconclusive',
      evidence: `${plural(recent.length, 'pod')} recently unschedulable in ${scope}: ${listSome(recent)}`,
    };
  }
  return {
    name,
    verdict: 'pass',
    evidence: `no unschedulable pods among ${plural(pods.length, 'pod')} in ${scope}`,
  };
}
