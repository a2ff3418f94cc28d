import type { ChangeFeed } from '../../../domain/ports.js';
import type { KubeClient } from './client.js';

/** A workload as one qualification pass saw it; `resourceVersion` is undefined when it was missing. */
export interface SeenWorkload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion?: string | undefined;
  /** Its rollout had not passed: the change the feed waits for. */
  readonly pending: boolean;
}

/**
 * A change feed for rollouts still under way: watches the kinds and namespaces of the pending
 * workloads and reports the first event about one of the judged workloads that is not as the pass
 * saw it (another resourceVersion, or created since). A watch begins by replaying every existing
 * object as ADDED; those are the objects as seen, so they report nothing, and objects the pass did not
 * judge never do. Undefined when nothing is pending.
 */
export function rolloutChanges(client: KubeClient, seen: readonly SeenWorkload[]): ChangeFeed | undefined {
  const scopes = new Map<string, SeenWorkload>();
  for (const workload of seen) {
    if (workload.pending) scopes.set(`${workload.kind}/${workload.namespace}`, workload);
  }
  if (scopes.size === 0) return undefined;
  const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
  const versions = new Map(seen.map((w) => [key(w.kind, w.namespace, w.name), w.resourceVersion]));
  return (onChange) => {
    const stops = [...scopes.values()].map(({ kind, namespace }) =>
      client.watch('apps/v1', kind, namespace, ({ object }) => {
        const name = object?.metadata?.name;
        // An ERROR event (its object a Status) or a BOOKMARK says nothing about the workloads.
        if (typeof name !== 'string' || object.kind === 'Status') return;
        const id = key(kind, namespace, name);
        // Only the workloads the pass judged count: others in the namespace are not what it waits on.
        if (!versions.has(id) || versions.get(id) === object.metadata.resourceVersion) return;
        onChange();
      }),
    );
    return () => {
      for (const stop of stops) stop();
    };
  };
}
