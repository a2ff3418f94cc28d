import { type V1LeaseSpec, V1MicroTime } from '@kubernetes/client-node';

/**
 * The rules of the leader Lease as pure functions of its spec and a clock reading, so the elector's loop
 * only does I/O and the rules are tested with plain objects.
 *
 * The lease is held while `renewTime + leaseDurationSeconds` lies ahead. A candidate compares that with
 * its own clock, so replicas' clocks must agree to within the margin between the lease duration and the
 * holder's renew deadline (15 s − 10 s by default): the holder stops acting at its deadline, before any
 * candidate whose clock is less than that margin ahead can see the lease as expired.
 */

/**
 * Milliseconds since the epoch of a MicroTime field, or undefined when absent. client-node 1.x types
 * MicroTime fields as Date but hands back the apiserver's string unconverted, so both are accepted.
 */
export function microTimeMillis(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const millis = new Date(value).getTime();
  return Number.isNaN(millis) ? undefined : millis;
}

/** When the current holder's claim runs out (ms since the epoch), or undefined when nobody holds it. */
export function leaseExpiresAt(spec: V1LeaseSpec | undefined): number | undefined {
  if (!spec?.holderIdentity) return undefined;
  const renewedAt = microTimeMillis(spec.renewTime) ?? microTimeMillis(spec.acquireTime) ?? 0;
  return renewedAt + (spec.leaseDurationSeconds ?? 0) * 1000;
}

/**
 * Whether `identity` may take the lease at `now`: nobody holds it (never held, or released), its holder
 * stopped renewing it, or it still names `identity` (this replica, leading again after stepping down).
 */
export function mayAcquire(spec: V1LeaseSpec | undefined, identity: string, now: number): boolean {
  if (!spec?.holderIdentity || spec.holderIdentity === identity) return true;
  return now >= (leaseExpiresAt(spec) ?? 0);
}

/** Whether the lease still records the term that `identity` started at `epoch`. */
export function holdsTerm(spec: V1LeaseSpec | undefined, identity: string, epoch: number): boolean {
  return spec?.holderIdentity === identity && (spec.leaseTransitions ?? 0) === epoch;
}

/**
 * The spec that starts a new leadership term for `identity`. `leaseTransitions` is the term's epoch
 * (the fencing token): 0 on a new Lease, then one more at every acquisition, which is every change of
 * holder and also this replica leading again after it stepped down, so no two terms share an epoch.
 */
export function acquiredSpec(
  previous: V1LeaseSpec | undefined,
  identity: string,
  leaseDurationSeconds: number,
  now: number,
): V1LeaseSpec {
  const at = new V1MicroTime(now);
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: at,
    renewTime: at,
    leaseTransitions: previous === undefined ? 0 : (previous.leaseTransitions ?? 0) + 1,
  };
}

/** The same term, renewed at `now`. */
export function renewedSpec(current: V1LeaseSpec, now: number): V1LeaseSpec {
  return { ...current, renewTime: new V1MicroTime(now) };
}

/**
 * The spec a graceful stop leaves behind: no holder, so any candidate takes it on its next attempt.
 * The epoch count stays (the next term goes above it), and a one-second duration makes the lease
 * expired at once also for tools that only look at the times.
 */
export function releasedSpec(current: V1LeaseSpec, now: number): V1LeaseSpec {
  const { holderIdentity: _released, ...rest } = current;
  return { ...rest, leaseDurationSeconds: 1, renewTime: new V1MicroTime(now) };
}
