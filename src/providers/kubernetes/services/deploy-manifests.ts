import { ProviderError } from '../../../domain/errors.js';
import type { Observation } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { applyWaves } from './apply.js';
import type { KubeClient } from './client.js';
import { applyWavesOf, definesKind, loadManifests, type Manifest } from './manifests.js';
import { countByKind, type KubeObject } from './objects.js';
import type { WorkloadRef } from './spec.js';
import { findStateful, statefulRefusal } from './stateful.js';

/**
 * Applies every manifest in `directory` to `to`, one server-side apply per object, every time (a repeat
 * changes nothing). Namespaces the objects live in but the manifests do not define are created (name
 * only), so a directory of application objects works on a fresh cluster. Nothing is applied when the
 * stateful guard refuses.
 */
export async function deployManifests(
  client: KubeClient,
  to: ClusterRef,
  directory: string,
  allowStateful: boolean,
): Promise<Observation> {
  const manifests = await loadManifests(directory);
  if (manifests.length === 0) {
    throw new ProviderError(`manifests: no objects in ${directory} (*.yaml, *.yml, *.json)`, false);
  }
  if (!allowStateful) {
    const findings = findStateful(manifests.map((m) => m.object));
    if (findings.length > 0) throw statefulRefusal(`apply the manifests in ${directory}`, findings);
  }
  const waves = applyWavesOf([...implicitNamespaces(manifests), ...manifests.map((m) => m.object)]);
  await applyWaves(client, to, waves, {
    mayBeEstablishing: (object) => definesKind(manifests, object.apiVersion, object.kind),
  });
  const objects = manifests.map((m) => m.object);
  return {
    ready: true,
    message:
      `applied ${objects.length} object(s) from ${directory} to ${to.name} (${countByKind(objects)}); ` +
      'workload readiness is judged by qualification',
  };
}

function implicitNamespaces(manifests: readonly Manifest[]): KubeObject[] {
  const defined = new Set(
    manifests.filter((m) => m.object.kind === 'Namespace').map((m) => m.object.metadata.name),
  );
  const used = new Set(
    manifests.flatMap((m) => (m.object.metadata.namespace ? [m.object.metadata.namespace] : [])),
  );
  return [...used]
    .filter((name) => !defined.has(name))
    .map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}

/** The workloads the manifests define; those without a namespace go to "default", as they were applied. */
export async function manifestWorkloads(directory: string): Promise<WorkloadRef[]> {
  const manifests = await loadManifests(directory);
  return manifests.flatMap(({ object }) => {
    const { kind } = object;
    if (
      object.apiVersion !== 'apps/v1' ||
      (kind !== 'Deployment' && kind !== 'StatefulSet' && kind !== 'DaemonSet')
    ) {
      return [];
    }
    return [{ kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name }];
  });
}
