import { ApiException, type KubernetesObject } from '@kubernetes/client-node';

/**
 * Fencing: why a paused old leader cannot act.
 *
 * A leader can stop for longer than its lease (a GC pause, a frozen VM, a lost network) and resume
 * believing it still leads: checking "am I leader?" before a write does not help, since the pause can
 * fall between the check and the write. So the objects the leader owns carry the epoch of the term that
 * last wrote them, in the annotation `switchyard.dev/epoch`, and every leader write goes through
 * `fencedWrite`:
 *
 * 1. It refuses when the object it read already carries a newer epoch than ours.
 * 2. It writes the object with our epoch and with the resourceVersion it read as a precondition, so the
 *    check in 1 and the write are one atomic step at the apiserver: if anyone wrote in between, the
 *    apiserver answers 409 and nothing is merged.
 * 3. On a 409 it reads the object again. A newer epoch there means a newer leader owns it: the write is
 *    refused and the elector steps down. Otherwise someone changed the object within our term (a
 *    follower writing a spec field the API accepted): the write is still refused, and the caller
 *    decides again on the fresh copy, which is the usual compare-and-swap retry.
 *
 * A new leader stamps its epoch on what it owns before it acts (`claimFence` on the fence object), so
 * the stale leader's next write there gets the 409 of step 2, or the refusal of step 1 if it read after
 * the claim. Stored epochs only grow: a write lands only where the stored epoch is at most the writer's.
 * Epochs are the Lease's leaseTransitions (lease-record.ts); deleting the Lease would start them at 0
 * again, below what the objects carry, so no leader could write: the Lease must outlive the objects.
 */
export const epochAnnotation = 'switchyard.dev/epoch';

/** What fencing needs from the elector. */
export interface Leadership {
  /** The current term's epoch, or undefined when not leading. */
  readonly epoch: number | undefined;
  stepDown(reason: 'fenced'): void;
}

/** Reading and replacing one object; `replace` must send the body's resourceVersion (Kubernetes does). */
export interface FencedObjectApi<T extends KubernetesObject> {
  read(): Promise<T>;
  replace(body: T): Promise<T>;
}

export type FencedWriteResult<T> =
  | { readonly outcome: 'written'; readonly object: T }
  /** This replica does not lead: nothing was written. */
  | { readonly outcome: 'not-leader' }
  /** A newer leader owns the object: nothing was written, and this replica stepped down. */
  | { readonly outcome: 'superseded'; readonly storedEpoch: number; readonly ourEpoch: number }
  /** Someone changed the object within our term: nothing was written; decide again on `current`. */
  | { readonly outcome: 'conflict'; readonly current: T };

/** The epoch stamped on an object, or -1 when no leader wrote it yet. */
export function storedEpoch(object: KubernetesObject): number {
  const value = object.metadata?.annotations?.[epochAnnotation];
  const epoch = value === undefined ? Number.NaN : Number(value);
  return Number.isInteger(epoch) ? epoch : -1;
}

/**
 * Writes `change(current)` as the leader of the current term, where `current` is the copy the decision
 * was made on (its resourceVersion is the precondition). See the scheme above.
 */
export async function fencedWrite<T extends KubernetesObject>(
  leader: Leadership,
  api: FencedObjectApi<T>,
  current: T,
  change: (object: T) => T,
): Promise<FencedWriteResult<T>> {
  const ourEpoch = leader.epoch;
  if (ourEpoch === undefined) return { outcome: 'not-leader' };
  const superseded = supersededBy(leader, ourEpoch, current);
  if (superseded) return superseded;

  const changed = change(current);
  const body: T = {
    ...changed,
    metadata: {
      ...changed.metadata,
      resourceVersion: current.metadata?.resourceVersion,
      annotations: { ...changed.metadata?.annotations, [epochAnnotation]: String(ourEpoch) },
    },
  };
  try {
    return { outcome: 'written', object: await api.replace(body) };
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  }
  const fresh = await api.read();
  return supersededBy(leader, ourEpoch, fresh) ?? { outcome: 'conflict', current: fresh };
}

function supersededBy<T>(leader: Leadership, ourEpoch: number, object: KubernetesObject) {
  const stored = storedEpoch(object);
  if (stored <= ourEpoch) return undefined;
  leader.stepDown('fenced');
  return { outcome: 'superseded', storedEpoch: stored, ourEpoch } satisfies FencedWriteResult<T>;
}
