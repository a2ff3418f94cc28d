import { ProviderError } from '../../../domain/errors.js';
import type { Observation } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { applyWaves } from './apply.js';
import type { KubeClient } from './client.js';
import { onCluster } from './errors.js';
import { countByKind, describeObject, type KubeObject } from './objects.js';
import type { ServicesSource } from './spec.js';
import { findStateful, statefulRefusal } from './stateful.js';
import { cleanForCopy, namespaceForCopy, skipReason } from './strip.js';

type CopySource = Extract<ServicesSource, { kind: 'copy' }>;

/**
 * The kinds copied from each namespace, in apply order. PersistentVolumeClaims are read always (for the
 * stateful guard) and copied only with allowStateful. Not copied: Pods and ReplicaSets (made by their
 * controllers), Endpoints/EndpointSlices, Jobs, CronJobs, DaemonSets, RBAC, NetworkPolicies and custom
 * resources; add a kind here to copy it.
 */
export const copiedKinds = [
  { apiVersion: 'v1', kind: 'ConfigMap', wave: 0 },
  { apiVersion: 'v1', kind: 'Secret', wave: 0 },
  { apiVersion: 'v1', kind: 'ServiceAccount', wave: 0 },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', wave: 0 },
  { apiVersion: 'v1', kind: 'Service', wave: 0 },
  { apiVersion: 'apps/v1', kind: 'Deployment', wave: 1 },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', wave: 1 },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', wave: 2 },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', wave: 2 },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', wave: 2 },
] as const;

export interface NamespaceScope {
  readonly found: KubeObject[];
  /** Named namespaces that do not exist on the cluster. */
  readonly missing: string[];
  /** How the namespaces were chosen, for messages. */
  readonly description: string;
}

/** The namespaces the copy covers, as they exist on `cluster`. */
export async function resolveNamespaces(
  client: KubeClient,
  cluster: ClusterRef,
  source: CopySource,
): Promise<NamespaceScope> {
  if (!Array.isArray(source.namespaces)) {
    const { selector } = source.namespaces as { readonly selector: string };
    const found = await onCluster(cluster, `list namespaces matching "${selector}"`, () =>
      client.list('v1', 'Namespace', { labelSelector: selector }),
    );
    return { found, missing: [], description: `namespaces matching "${selector}"` };
  }
  const names = source.namespaces as readonly string[];
  const read = await Promise.all(
    names.map((name) =>
      onCluster(cluster, `read Namespace ${name}`, () => client.get('v1', 'Namespace', name)),
    ),
  );
  return {
    found: read.filter((ns) => ns !== undefined),
    missing: names.filter((_, index) => read[index] === undefined),
    description: `namespaces ${names.join(', ')}`,
  };
}

interface Collected {
  readonly namespaces: KubeObject[];
  readonly objects: KubeObject[];
  readonly skipped: string[];
}

/** Reads, filters and cleans everything to copy, and applies the stateful guard; changes nothing. */
export async function collect(
  client: KubeClient,
  from: ClusterRef,
  source: CopySource,
  allowStateful: boolean,
): Promise<Collected> {
  const scope = await resolveNamespaces(client, from, source);
  if (scope.missing.length > 0) {
    throw new ProviderError(
      `cluster ${from.name}: cannot copy services: namespace(s) ${scope.missing.join(', ')} not found`,
      false,
    );
  }
  if (scope.found.length === 0) {
    throw new ProviderError(`cluster ${from.name}: cannot copy services: no ${scope.description}`, false);
  }
  const objects: KubeObject[] = [];
  const skipped: string[] = [];
  const listed: KubeObject[] = [];
  for (const namespace of scope.found) {
    const ns = namespace.metadata.name;
    const lists = await Promise.all(
      copiedKinds.map(({ apiVersion, kind }) =>
        onCluster(from, `list ${kind}s in namespace ${ns}`, () =>
          client.list(apiVersion, kind, { namespace: ns }),
        ),
      ),
    );
    const all = lists.flat();
    const kept = all.filter((object) => {
      const reason = skipReason(object);
      if (reason) skipped.push(`${describeObject(object)} (${reason})`);
      return reason === undefined;
    });
    listed.push(...kept);
    const droppedSecrets = new Set(
      all.filter((o) => o.kind === 'Secret' && skipReason(o) !== undefined).map((o) => o.metadata.name),
    );
    objects.push(...kept.map((object) => cleanForCopy(object, { droppedSecrets })));
  }
  if (!allowStateful) {
    const findings = findStateful(listed);
    if (findings.length > 0) throw statefulRefusal(`copy services from cluster ${from.name}`, findings);
  }
  return { namespaces: scope.found.map(namespaceForCopy), objects, skipped };
}

/** Copies the namespaces from `from` to `to`: one server-side apply per object, every time. */
export async function deployCopy(
  clients: { readonly from: KubeClient; readonly to: KubeClient },
  clusters: { readonly from: ClusterRef; readonly to: ClusterRef },
  source: CopySource,
  allowStateful: boolean,
): Promise<Observation> {
  const { namespaces, objects, skipped } = await collect(clients.from, clusters.from, source, allowStateful);
  const wave = (n: number) =>
    objects.filter(
      (o) => copiedKinds.find((k) => k.kind === o.kind && k.apiVersion === o.apiVersion)?.wave === n,
    );
  await applyWaves(clients.to, clusters.to, [namespaces, wave(0), wave(1), wave(2)]);
  const names = namespaces.map((ns) => ns.metadata.name).join(', ');
  const shown = skipped.slice(0, 10).join(', ');
  const skippedText =
    skipped.length === 0
      ? ''
      : `; not copied: ${shown}${skipped.length > 10 ? `, and ${skipped.length - 10} more` : ''}`;
  return {
    ready: true,
    message:
      `copied ${namespaces.length} namespace(s) (${names}) from ${clusters.from.name} to ${clusters.to.name}: ` +
      `${objects.length} object(s) applied${objects.length > 0 ? ` (${countByKind(objects)})` : ''}${skippedText}; ` +
      'workload readiness is judged by qualification',
  };
}
