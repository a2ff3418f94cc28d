import type { CheckResult, Verdict } from '../../../domain/ports.js';
import { describeObject, type KubeObject, numberAt, recordAt, recordsAt, stringAt } from './objects.js';

/**
 * The rollout status of a Deployment, StatefulSet or DaemonSet, judged as `kubectl rollout status` does:
 * the controller has observed the current generation, every desired replica runs the current template
 * (no old replicas left) and is available.
 *
 * - pass: rolled out and available.
 * - inconclusive: not yet (no status, status of an older generation, replicas still updating or not yet
 *   available). A rollout that never finishes is ended by the stage timeout; there is no way to tell
 *   "slow" from "stuck" from the counts alone.
 * - fail: only when the controller itself says the rollout is stuck: a Deployment whose Progressing
 *   condition has reason ProgressDeadlineExceeded (its spec.progressDeadlineSeconds passed).
 */
export function judgeRollout(object: KubeObject): CheckResult {
  const name = `rollout ${describeObject(object)}`;
  const judged = judge(object);
  return { name, verdict: judged.verdict, evidence: judged.evidence };
}

export function missingWorkload(
  kind: string,
  namespace: string,
  workload: string,
  cluster: string,
): CheckResult {
  return {
    name: `rollout ${kind} ${namespace}/${workload}`,
    verdict: 'inconclusive',
    evidence: `not found on cluster ${cluster}`,
  };
}

interface Judged {
  readonly verdict: Verdict;
  readonly evidence: string;
}

const notYet = (evidence: string): Judged => ({ verdict: 'inconclusive', evidence });

function judge(object: KubeObject): Judged {
  const status = recordAt(object, 'status');
  const generation = numberAt(object.metadata, 'generation') ?? 0;
  const observed = numberAt(status, 'observedGeneration');
  if (status === undefined || observed === undefined) return notYet('no status from the controller yet');
  if (observed < generation) {
    return notYet(
      `the controller has not seen the current spec yet (observed generation ${observed} < ${generation})`,
    );
  }
  switch (object.kind) {
    case 'Deployment':
      return deployment(object, status);
    case 'StatefulSet':
      return statefulSet(object, status);
    case 'DaemonSet':
      return daemonSet(object, status);
    default:
      return notYet(`${object.kind} has no rollout status`);
  }
}

// The API server omits counters that are zero, so an absent count is 0.
const count = (status: Record<string, unknown>, key: string) => numberAt(status, key) ?? 0;

function deployment(object: KubeObject, status: Record<string, unknown>): Judged {
  const desired = numberAt(object.spec, 'replicas') ?? 1;
  const updated = count(status, 'updatedReplicas');
  const total = count(status, 'replicas');
  const available = count(status, 'availableReplicas');
  const counts = `${available} available, ${updated} updated of ${desired} desired`;
  const progressing = recordsAt(status, 'conditions').find((c) => c.type === 'Progressing');
  if (stringAt(progressing, 'reason') === 'ProgressDeadlineExceeded') {
    const message = stringAt(progressing, 'message') ?? 'progress deadline exceeded';
    return { verdict: 'fail', evidence: `${counts}; rollout stuck: ${message}` };
  }
  if (updated < desired) return notYet(`${counts}; replicas still being updated`);
  if (total > updated) return notYet(`${counts}; ${total - updated} old replica(s) pending termination`);
  if (available < updated) return notYet(`${counts}; waiting for replicas to become available`);
  return { verdict: 'pass', evidence: counts };
}

function statefulSet(object: KubeObject, status: Record<string, unknown>): Judged {
  const desired = numberAt(object.spec, 'replicas') ?? 1;
  const ready = count(status, 'readyReplicas');
  // availableReplicas is reported since Kubernetes 1.22 (minReadySeconds); fall back to ready.
  const available = numberAt(status, 'availableReplicas') ?? ready;
  const updated = count(status, 'updatedReplicas');
  const counts = `${available} available, ${ready} ready, ${updated} updated of ${desired} desired`;
  const strategy = recordAt(object.spec, 'updateStrategy');
  if (stringAt(strategy, 'type') !== 'OnDelete') {
    const partition = numberAt(recordAt(strategy, 'rollingUpdate'), 'partition') ?? 0;
    if (updated < desired - partition) return notYet(`${counts}; replicas still being updated`);
    const current = stringAt(status, 'currentRevision');
    const update = stringAt(status, 'updateRevision');
    if (partition === 0 && update !== undefined && current !== update) {
      return notYet(`${counts}; rolling update to revision ${update} in progress`);
    }
  }
  if (available < desired) return notYet(`${counts}; waiting for replicas to become available`);
  return { verdict: 'pass', evidence: counts };
}

function daemonSet(object: KubeObject, status: Record<string, unknown>): Judged {
  const desired = count(status, 'desiredNumberScheduled');
  const updated = count(status, 'updatedNumberScheduled');
  const available = count(status, 'numberAvailable');
  const counts = `${available} available, ${updated} updated of ${desired} scheduled`;
  const onDelete = stringAt(recordAt(object.spec, 'updateStrategy'), 'type') === 'OnDelete';
  if (!onDelete && updated < desired) return notYet(`${counts}; pods still being updated`);
  if (available < desired) return notYet(`${counts}; waiting for pods to become available`);
  return { verdict: 'pass', evidence: counts };
}
