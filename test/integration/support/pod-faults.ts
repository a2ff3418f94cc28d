/**
 * Breaking single pods through kwok's fault labels (test/env/faults.ts): the kubelet (kwok) then reports
 * the failure and the workload controllers count the pod unavailable, as they would in production.
 */
import { type CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { type PodFault, podFaultLabel } from '../../env/faults.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Gives the pod `fault`, or takes its fault away (null): it starts normally again. */
export async function setPodFault(
  core: CoreV1Api,
  namespace: string,
  pod: string,
  fault: PodFault | null,
): Promise<void> {
  const body = { metadata: { labels: { [podFaultLabel]: fault } } };
  await core.patchNamespacedPod({ namespace, name: pod, body }, mergePatch);
}

/** The pods matching `labels`, by name. */
export async function podsMatching(
  core: CoreV1Api,
  namespace: string,
  labels: Record<string, string>,
): Promise<V1Pod[]> {
  const labelSelector = Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const list = await core.listNamespacedPod({ namespace, labelSelector });
  return list.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/**
 * Gives one of the pods matching `labels` the fault (the first by name) and returns its name: one replica
 * of a workload fails while the others keep running.
 */
export async function failOnePod(
  core: CoreV1Api,
  namespace: string,
  labels: Record<string, string>,
  fault: PodFault,
): Promise<string> {
  const [first] = await podsMatching(core, namespace, labels);
  const name = first?.metadata?.name;
  if (!name) throw new Error(`no pod matching ${JSON.stringify(labels)} in ${namespace} to fail`);
  await setPodFault(core, namespace, name, fault);
  return name;
}
