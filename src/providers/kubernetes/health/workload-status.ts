import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { Verdict } from '../../../domain/ports.js';
import { findCondition } from './verdict.js';

/** A verdict on one workload's rollout status, with what it was based on. */
export interface StatusJudgement {
  readonly verdict: Verdict;
  readonly evidence: string;
}

interface Generations {
  readonly metadata?: { readonly generation?: number };
  readonly status?: { readonly observedGeneration?: number };
}

/** Undefined when the controller has seen the latest spec; otherwise why the status cannot be trusted yet. */
function staleStatus(object: Generations): string | undefined {
  // A new object's status is empty ({}) until its controller first reports.
  const observed = object.status?.observedGeneration;
  if (observed === undefined) return 'no status reported yet';
  const generation = object.metadata?.generation ?? 0;
  if (observed < generation) return `status describes generation ${observed}, spec is at ${generation}`;
  return undefined;
}

/**
 * Ready and available ≥ minReady → pass. Still rolling out within its progress deadline → inconclusive:
 * replicas not yet updated, or the controller's Progressing condition saying a ReplicaSet is still being
 * rolled out (its pods may all be "updated" while they are still starting). Otherwise (settled below
 * minReady: the rollout finished and replicas were lost since, or ProgressDeadlineExceeded) → fail.
 */
export function judgeDeployment(deployment: V1Deployment, minReady?: number): StatusJudgement {
  const stale = staleStatus(deployment);
  if (stale) return { verdict: 'inconclusive', evidence: stale };
  const desired = deployment.spec?.replicas ?? 1;
  const need = minReady ?? desired;
  const s = deployment.status ?? {};
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const counts = `${ready} ready, ${available} available, ${updated} updated of ${desired} desired (need ${need})`;
  if (ready >= need && available >= need) return { verdict: 'pass', evidence: counts };
  const progressing = findCondition(s.conditions, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      verdict: 'fail',
      evidence: `${counts}; rollout stuck: ${progressing.message ?? 'progress deadline exceeded'}`,
    };
  }
  const rollingOut = progressing?.status === 'True' && progressing.reason !== rolloutComplete;
  if (updated < desired || rollingOut) {
    return { verdict: 'inconclusive', evidence: `${counts}; rollout in progress` };
  }
  return { verdict: 'fail', evidence: counts };
}

/** The Progressing reason the Deployment controller sets once the new ReplicaSet is fully available. */
const rolloutComplete = 'NewReplicaSetAvailable';

/**
 * Scheduled, ready and updated on every node it targets (desiredNumberScheduled > 0) → pass. A rolling
 * update still replacing pods → inconclusive. Anything else (a node without it, pods not ready) → fail.
 */
export function judgeDaemonSet(daemonSet: V1DaemonSet): StatusJudgement {
  const stale = staleStatus(daemonSet);
  if (stale) return { verdict: 'inconclusive', evidence: stale };
  const s = daemonSet.status ?? {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberReady: 0,
    numberMisscheduled: 0,
  };
  const desired = s.desiredNumberScheduled;
  const unavailable = s.numberUnavailable ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  const counts =
    `${s.numberReady} ready, ${s.currentNumberScheduled} scheduled, ${updated} updated, ` +
    `${unavailable} unavailable of ${desired} nodes`;
  if (desired <= 0) return { verdict: 'fail', evidence: `${counts}; it is meant to run on no node at all` };
  if (s.currentNumberScheduled < desired) {
    const missing = desired - s.currentNumberScheduled;
    return { verdict: 'fail', evidence: `${counts}; ${missing} node(s) have no pod of it` };
  }
  if (s.numberReady === desired && unavailable === 0 && updated === desired) {
    return { verdict: 'pass', evidence: counts };
  }
  if (updated < desired) {
    return { verdict: 'inconclusive', evidence: `${counts}; rolling update in progress` };
  }
  return { verdict: 'fail', evidence: `${counts}; must be ready on every node` };
}

/** Like a Deployment: ready (and available, where reported) ≥ minReady; a revision rollout in progress is "not yet". */
export function judgeStatefulSet(statefulSet: V1StatefulSet, minReady?: number): StatusJudgement {
  const stale = staleStatus(statefulSet);
  if (stale) return { verdict: 'inconclusive', evidence: stale };
  const desired = statefulSet.spec?.replicas ?? 1;
  const need = minReady ?? desired;
  const s = statefulSet.status ?? { replicas: 0 };
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? ready;
  const counts = `${ready} ready, ${available} available of ${desired} desired (need ${need})`;
  if (ready >= need && available >= need) return { verdict: 'pass', evidence: counts };
  const rolling =
    (s.updatedReplicas ?? 0) < desired ||
    (s.updateRevision !== undefined && s.currentRevision !== s.updateRevision);
  if (rolling) return { verdict: 'inconclusive', evidence: `${counts}; rollout in progress` };
  return { verdict: 'fail', evidence: counts };
}
