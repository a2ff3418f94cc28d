/**
 * Pure decoding and rewriting of an ALB listener's or rule's actions: which forward action carries the
 * blue/green split, what it says, and the action list that sets a new split while leaving everything
 * else (other actions, their Order, stickiness, other target groups) as it was.
 */
import type { Action, TargetGroupTuple } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ProviderError } from '../../domain/errors.js';
import type { TrafficReading } from '../../domain/ports.js';
import {
  type GreenPercent,
  percentFromWeights,
  type SideWeights,
  toAlbWeights,
} from '../../domain/weights.js';

/** ALB accepts at most this many target groups in one forward action. */
export const maxTargetGroupsPerAction = 5;

/** Which target groups are blue and green, and whether foreign ones may share the action. */
export interface SplitTargets {
  readonly blueTargetGroupArn: string;
  readonly greenTargetGroupArn: string;
  readonly keepOtherTargetGroups: boolean;
}

/** The forward action of a listener or rule, decoded. */
export interface ForwardSplit {
  /** Position of the forward action in the action list. */
  readonly index: number;
  readonly groups: readonly TargetGroupTuple[];
  /** Blue's weight; undefined when the action does not state one (legacy TargetGroupArn form). */
  readonly blue: number | undefined;
  /** Green's weight; absent means green is not in the action at all. */
  readonly green: { readonly weight: number | undefined } | undefined;
  /** Target groups that are neither blue nor green (only with keepOtherTargetGroups). */
  readonly others: readonly TargetGroupTuple[];
}

/** Weights for `green` within ALB's 0..999 (see toAlbWeights). */
export const albWeights: (green: GreenPercent) => SideWeights = toAlbWeights;

function refuse(resource: string, reason: string): ProviderError {
  // Retrying cannot fix a listener that is set up differently from what we were told; a person must.
  return new ProviderError(`${resource}: ${reason}`, false);
}

/** The target groups of a forward action; AWS accepts the legacy single TargetGroupArn form too. */
function groupsOf(action: Action): TargetGroupTuple[] {
  const configured = action.ForwardConfig?.TargetGroups ?? [];
  if (configured.length > 0) return configured;
  return action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn }] : [];
}

/** Finds and checks the forward action; throws a non-retryable ProviderError naming `resource`. */
export function decodeForward(
  actions: readonly Action[],
  targets: SplitTargets,
  resource: string,
): ForwardSplit {
  const forwards = actions.flatMap((action, index) => (action.Type === 'forward' ? [index] : []));
  const index = forwards[0];
  if (index === undefined) throw refuse(resource, 'has no forward action');
  if (forwards.length > 1) throw refuse(resource, `has ${forwards.length} forward actions, expected one`);
  const groups = groupsOf(actions[index] as Action);
  if (groups.length > maxTargetGroupsPerAction) {
    throw refuse(
      resource,
      `forwards to ${groups.length} target groups, ALB allows ${maxTargetGroupsPerAction}`,
    );
  }
  const blue = groups.find((g) => g.TargetGroupArn === targets.blueTargetGroupArn);
  const green = groups.find((g) => g.TargetGroupArn === targets.greenTargetGroupArn);
  const others = groups.filter((g) => g !== blue && g !== green);
  if (!blue) {
    throw refuse(
      resource,
      green
        ? `forwards to green ${targets.greenTargetGroupArn} but not to blue ${targets.blueTargetGroupArn}`
        : `does not forward to blue ${targets.blueTargetGroupArn}`,
    );
  }
  if (others.length > 0 && !targets.keepOtherTargetGroups) {
    throw refuse(
      resource,
      `also forwards to ${others.map((g) => g.TargetGroupArn).join(', ')}; set keepOtherTargetGroups to leave them be`,
    );
  }
  return {
    index,
    groups,
    blue: blue.Weight,
    green: green ? { weight: green.Weight } : undefined,
    others,
  };
}

/** What the split means as traffic; the percent counts blue and green only, never the others. */
export function readingOf(split: ForwardSplit, resource: string): TrafficReading {
  const kept =
    split.others.length === 0
      ? ''
      : `; other target groups kept: ${split.others.map((g) => `${g.TargetGroupArn}=${g.Weight}`).join(', ')}`;
  if (!split.green) {
    return {
      kind: 'unweighted',
      green: 0 as GreenPercent,
      detail: `${resource} forwards to blue only${kept}`,
    };
  }
  const { blue } = split;
  const green = split.green.weight;
  // A missing weight is not guessed at: a wrong guess would misreport where traffic goes.
  const percent = blue === undefined || green === undefined ? undefined : percentFromWeights({ blue, green });
  return { kind: 'weighted', green: percent, detail: `${resource}: blue ${blue}, green ${green}${kept}` };
}

/**
 * The action list with the forward action set to `weights`. Every other action, and stickiness and
 * other target groups of the forward action, is passed back exactly as read, except that OIDC actions
 * must say UseExistingClientSecret because Describe* never returns the secret.
 */
export function rewriteActions(
  actions: readonly Action[],
  split: ForwardSplit,
  targets: SplitTargets,
  weights: SideWeights,
  resource: string,
): Action[] {
  const groups: TargetGroupTuple[] = split.groups.map((g) => {
    if (g.TargetGroupArn === targets.blueTargetGroupArn) return { ...g, Weight: weights.blue };
    if (g.TargetGroupArn === targets.greenTargetGroupArn) return { ...g, Weight: weights.green };
    return g;
  });
  if (!split.green) groups.push({ TargetGroupArn: targets.greenTargetGroupArn, Weight: weights.green });
  if (groups.length > maxTargetGroupsPerAction) {
    throw refuse(
      resource,
      `adding green would make ${groups.length} target groups, ALB allows ${maxTargetGroupsPerAction}`,
    );
  }
  return actions.map((action, index) => {
    if (index === split.index) {
      // AWS rejects TargetGroupArn next to a ForwardConfig of more than one group, so the legacy field goes.
      const { TargetGroupArn: _legacy, ...rest } = action;
      return { ...rest, ForwardConfig: { ...action.ForwardConfig, TargetGroups: groups } };
    }
    if (action.AuthenticateOidcConfig && action.AuthenticateOidcConfig.ClientSecret === undefined) {
      return {
        ...action,
        AuthenticateOidcConfig: { ...action.AuthenticateOidcConfig, UseExistingClientSecret: true },
      };
    }
    return action;
  });
}

/** Whether the split is exactly `weights`; green 0 is also met by an action that forwards to blue only. */
export function splitMatches(split: ForwardSplit, weights: SideWeights): boolean {
  if (!split.green) return weights.green === 0;
  return split.blue === weights.blue && split.green.weight === weights.green;
}
