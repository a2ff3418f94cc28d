import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { CheckResult } from '../../../domain/ports.js';
import { describeScope, podName } from './pods.js';
import type { ResolvedPodActivity } from './spec.js';
import { listSome, plural, toDate } from './verdict.js';

/** Waiting reasons that mean a container cannot run, not that it is about to. */
export const errorWaitingReasons: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/**
 * Containers (init containers included) waiting for one of the error reasons, or restarted more than
 * the threshold with the last termination inside the window → fail naming pod, container, reason and
 * restart count. Old restarts outside the window do not count.
 */
export function judgePodErrors(pods: readonly V1Pod[], spec: ResolvedPodActivity, now: Date): CheckResult {
  const since = now.getTime() - spec.windowMs;
  const problems: string[] = [];
  for (const pod of pods) {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const container of statuses) {
      const problem = containerProblem(container, spec.restartThreshold, since);
      if (problem) problems.push(`${podName(pod)} container ${container.name}: ${problem}`);
    }
  }
  const name = 'pod-errors';
  const scope = describeScope(spec.namespaces);
  if (problems.length > 0) {
    return {
      name,
      verdict: 'fail',
      evidence: `${plural(problems.length, 'failing container')} in ${scope}: ${listSome(problems)}`,
    };
  }
  return {
    name,
    verdict: 'pass',
    evidence:
      `no crash-looping, image-pull or frequently restarting containers among ${plural(pods.length, 'pod')} ` +
      `in ${scope} (threshold ${spec.restartThreshold} restarts in ${Math.round(spec.windowMs / 60_000)} min)`,
  };
}

function containerProblem(
  container: V1ContainerStatus,
  threshold: number,
  since: number,
): string | undefined {
  const restarts = `${plural(container.restartCount, 'restart')}`;
  const waiting = container.state?.waiting;
  if (waiting?.reason && errorWaitingReasons.has(waiting.reason)) {
    return `${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}, ${restarts}`;
  }
  if (container.restartCount > threshold) {
    const terminated = container.lastState?.terminated;
    const finished = toDate(terminated?.finishedAt)?.getTime();
    if (finished !== undefined && finished >= since) {
      const why = terminated?.reason ?? `exit code ${terminated?.exitCode}`;
      return `${restarts} (last ${why} at ${new Date(finished).toISOString()})`;
    }
  }
  return undefined;
}
