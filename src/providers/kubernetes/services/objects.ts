/** Kubernetes objects as the API server sends them: plain JSON, no client-side model in between. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export const workloadKinds: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (workloadKinds as readonly string[]).includes(kind);
}

/** "Kind namespace/name", or "Kind name" for cluster-scoped objects: how every message names an object. */
export function describeObject(object: {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string | undefined };
}): string {
  const { name, namespace } = object.metadata;
  return namespace ? `${object.kind} ${namespace}/${name}` : `${object.kind} ${name}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record at `key`, or undefined when it is absent or not an object. */
export function recordAt(parent: unknown, key: string): Record<string, unknown> | undefined {
  if (!isRecord(parent)) return undefined;
  const value = parent[key];
  return isRecord(value) ? value : undefined;
}

/** The array at `key` (only its object elements), or [] when absent. */
export function recordsAt(parent: unknown, key: string): Record<string, unknown>[] {
  if (!isRecord(parent)) return [];
  const value = parent[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function numberAt(parent: unknown, key: string): number | undefined {
  if (!isRecord(parent)) return undefined;
  const value = parent[key];
  return typeof value === 'number' ? value : undefined;
}

export function stringAt(parent: unknown, key: string): string | undefined {
  if (!isRecord(parent)) return undefined;
  const value = parent[key];
  return typeof value === 'string' ? value : undefined;
}

/** The pod template of a workload kind (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), if any. */
export function podTemplate(object: KubeObject): Record<string, unknown> | undefined {
  if (object.kind === 'CronJob') {
    return recordAt(recordAt(recordAt(object.spec, 'jobTemplate'), 'spec'), 'template');
  }
  return recordAt(object.spec, 'template');
}

/** Counts per kind, e.g. "2 ConfigMap, 1 Deployment", in first-seen order. */
export function countByKind(objects: readonly { readonly kind: string }[]): string {
  const counts = new Map<string, number>();
  for (const object of objects) counts.set(object.kind, (counts.get(object.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}
