import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Logger } from 'pino';
import { ProviderError } from '../../domain/errors.js';
import type { TrafficReading, TrafficRouter } from '../../domain/ports.js';
import type { GreenPercent } from '../../domain/weights.js';
import { describing } from '../../providers/aws/errors.js';
import { KeyedSerializer } from '../../providers/aws/serial.js';
import {
  albWeights,
  decodeForward,
  type ForwardSplit,
  readingOf,
  rewriteActions,
  type SplitTargets,
  splitMatches,
} from './action.js';

export interface AlbRouterOptions {
  readonly client: ElasticLoadBalancingV2Client;
  readonly listenerArn: string;
  /** When set, the weights live in this rule's forward action instead of the listener's default action. */
  readonly ruleArn?: string;
  readonly blueTargetGroupArn: string;
  readonly greenTargetGroupArn: string;
  /**
   * Accept target groups other than blue and green in the forward action and keep them, with their
   * weights, on every write. The percent then is green's share of blue + green only, not of all traffic
   * the action forwards. Default false: a foreign target group is refused.
   */
  readonly keepOtherTargetGroups?: boolean;
  /** Share one serializer between routers that may write the same listener. */
  readonly serializer?: KeyedSerializer;
  readonly log?: Logger;
}

/**
 * How long a weight change may take to reach every ALB node. Clients keep resolving the same ALB name,
 * so no DNS TTL applies to weighted target groups; this is the floor for bakes (see ./index.ts).
 */
export const albApplySeconds = 10;

/** Used when no serializer is passed, so routers of one process never interleave writes to a listener. */
const sharedSerializer = new KeyedSerializer();

/**
 * A TrafficRouter over one ALB forward action (a listener's default action or one rule's). Each change
 * is one ModifyListener/ModifyRule call that sets both weights, so there is never a half-applied split.
 */
export function createAlbRouter(options: AlbRouterOptions): TrafficRouter {
  const { client, listenerArn, ruleArn } = options;
  const serializer = options.serializer ?? sharedSerializer;
  const targets: SplitTargets = {
    blueTargetGroupArn: options.blueTargetGroupArn,
    greenTargetGroupArn: options.greenTargetGroupArn,
    keepOtherTargetGroups: options.keepOtherTargetGroups ?? false,
  };
  const resource =
    ruleArn === undefined ? `listener ${listenerArn}` : `rule ${ruleArn} (listener ${listenerArn})`;

  async function readActions(): Promise<Action[]> {
    if (ruleArn !== undefined) {
      const out = await describing('describe', resource, () =>
        client.send(new DescribeRulesCommand({ RuleArns: [ruleArn] })),
      );
      const rule = out.Rules?.find((r) => r.RuleArn === ruleArn);
      if (!rule) throw new ProviderError(`describe ${resource}: not returned`, false);
      return rule.Actions ?? [];
    }
    const out = await describing('describe', resource, () =>
      client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    );
    const listener = out.Listeners?.find((l) => l.ListenerArn === listenerArn);
    if (!listener) throw new ProviderError(`describe ${resource}: not returned`, false);
    return listener.DefaultActions ?? [];
  }

  async function current(): Promise<{ actions: Action[]; split: ForwardSplit }> {
    const actions = await readActions();
    return { actions, split: decodeForward(actions, targets, resource) };
  }
  /** What each reading this router handed out saw, so apply can build on it (see TrafficRouter.apply). */
  const seen = new WeakMap<TrafficReading, { actions: Action[]; split: ForwardSplit }>();

  async function write(actions: Action[]): Promise<void> {
    if (ruleArn !== undefined) {
      await describing('modify', resource, () =>
        client.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: actions })),
      );
    } else {
      await describing('modify', resource, () =>
        client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: actions })),
      );
    }
  }

  return {
    ttlSeconds: albApplySeconds,

    async read() {
      const observed = await current();
      const reading = readingOf(observed.split, resource);
      seen.set(reading, observed);
      return reading;
    },

    apply(green: GreenPercent, basis?: TrafficReading) {
      return serializer.run(listenerArn, async () => {
        const { actions, split } = (basis && seen.get(basis)) ?? (await current());
        const weights = albWeights(green);
        await write(rewriteActions(actions, split, targets, weights, resource));
        options.log?.info(
          { listenerArn, ruleArn, green, weights, before: readingOf(split, resource).detail },
          `${resource}: set blue ${weights.blue}, green ${weights.green}`,
        );
        return {};
      });
    },

    async verify(green: GreenPercent) {
      const { split } = await current();
      const want = albWeights(green);
      if (splitMatches(split, want)) {
        return { ready: true, message: `${resource} forwards blue ${want.blue}, green ${want.green}` };
      }
      return {
        ready: false,
        message: `${readingOf(split, resource).detail}; want blue ${want.blue}, green ${want.green}`,
      };
    },
  };
}
