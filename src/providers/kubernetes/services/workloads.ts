import type { CheckResult, Observation } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import type { KubeClient } from './client.js';
import { onCluster } from './errors.js';
import { type KubeObject, workloadKinds } from './objects.js';
import { judgeRollout, missingWorkload } from './rollout.js';
import type { WorkloadRef } from './spec.js';

/** The rollout of each named workload on `cluster`; one that does not exist is "not yet" (inconclusive). */
export async function observeWorkloads(
  client: KubeClient,
  cluster: ClusterRef,
  refs: readonly WorkloadRef[],
): Promise<CheckResult[]> {
  return (await readWorkloads(client, cluster, refs)).map((read) => read.check);
}

/** Each named workload as it is now (undefined when missing), with its rollout judged. */
export async function readWorkloads(
  client: KubeClient,
  cluster: ClusterRef,
  refs: readonly WorkloadRef[],
): Promise<{ readonly ref: WorkloadRef; readonly object?: KubeObject; readonly check: CheckResult }[]> {
  return Promise.all(
    refs.map(async (ref) => {
      const object = await onCluster(cluster, `read ${ref.kind} ${ref.namespace}/${ref.name}`, () =>
        client.get('apps/v1', ref.kind, ref.name, ref.namespace),
      );
      if (object === undefined) {
        return { ref, check: missingWorkload(ref.kind, ref.namespace, ref.name, cluster.name) };
      }
      return { ref, object, check: judgeRollout(object) };
    }),
  );
}

/** Every Deployment, StatefulSet and DaemonSet in the namespaces. */
export async function listWorkloads(
  client: KubeClient,
  cluster: ClusterRef,
  namespaces: readonly string[],
): Promise<KubeObject[]> {
  const lists = await Promise.all(
    namespaces.flatMap((namespace) =>
      workloadKinds.map((kind) =>
        onCluster(cluster, `list ${kind}s in namespace ${namespace}`, () =>
          client.list('apps/v1', kind, { namespace }),
        ),
      ),
    ),
  );
  return lists.flat();
}

/**
 * External mode's deploy: nothing is applied; ready once every listed workload exists on `cluster` and
 * has rolled out, else "not yet" naming each one still missing or not available, and why.
 */
export async function awaitWorkloads(
  client: KubeClient,
  cluster: ClusterRef,
  refs: readonly WorkloadRef[],
): Promise<Observation> {
  const checks = await observeWorkloads(client, cluster, refs);
  const waiting = checks.filter((c) => c.verdict !== 'pass');
  if (waiting.length === 0) {
    return { ready: true, message: `all ${checks.length} workload(s) available on ${cluster.name}` };
  }
  const reasons = waiting.map((c) => `${c.name.replace(/^rollout /, '')}: ${c.evidence}`).join('; ');
  return {
    ready: false,
    message: `waiting for ${waiting.length} of ${checks.length} workload(s) on ${cluster.name}: ${reasons}`,
  };
}
