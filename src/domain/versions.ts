/**
 * The rule for a promotion's target Kubernetes version: newer than the live cluster, at most
 * `maxJump` minor versions ahead, and one EKS offers for new clusters.
 */
import { InvalidInputError } from './errors.js';

const field = 'body.targetVersion';

/** "1.35" → 35; undefined for anything that is not a 1.x minor version. */
export function minorOf(version: string): number | undefined {
  const match = /^v?1\.(\d{1,3})(?:\.\d+)?$/.exec(version.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export interface TargetVersionCheck {
  readonly live: { readonly cluster: string; readonly version: string };
  readonly target: string;
  readonly maxJump: number;
  /** Minor versions EKS offers for new clusters; undefined when not asked (an adopted green exists already). */
  readonly offered?: readonly string[];
}

/** Throws InvalidInputError (a 400 naming body.targetVersion) with what to ask for instead. */
export function checkTargetVersion({ live, target, maxJump, offered }: TargetVersionCheck): void {
  const from = minorOf(live.version);
  const to = minorOf(target);
  if (to === undefined) throw new InvalidInputError(field, `must be a Kubernetes minor version such as 1.35`);
  if (from === undefined) {
    throw new InvalidInputError(
      field,
      `the live cluster ${live.cluster} reports version "${live.version}", which is not a 1.x version`,
    );
  }
  if (to <= from) {
    throw new InvalidInputError(
      field,
      `must be newer than the live cluster ${live.cluster} (Kubernetes ${live.version}); ask for 1.${from + 1}`,
    );
  }
  if (to - from > maxJump) {
    throw new InvalidInputError(
      field,
      `${target} is ${to - from} minor versions ahead of the live cluster ${live.cluster} (${live.version}); ` +
        `this platform allows ${maxJump} per promotion (maxVersionJump): ask for 1.${from + maxJump} first`,
    );
  }
  if (offered !== undefined && !offered.includes(`1.${to}`)) {
    throw new InvalidInputError(
      field,
      `EKS does not offer Kubernetes 1.${to} for new clusters; it offers ${offered.join(', ') || 'none'}`,
    );
  }
}
