import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RuleNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import type { GreenPercent } from '../../../src/domain/weights.js';
import { KeyedSerializer } from '../../../src/providers/aws/serial.js';
import { createAlbRouter } from '../../../src/routers/alb/adapter.js';

const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2';
const ruleArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/lb/1/2/3';
const blue = 'arn:tg/blue';
const green = 'arn:tg/green';
const pct = (n: number) => n as GreenPercent;

const client = new ElasticLoadBalancingV2Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const elb = mockClient(client);
afterEach(() => elb.reset());

const router = (extra: { ruleArn?: string; serializer?: KeyedSerializer } = {}) =>
  createAlbRouter({ client, listenerArn, blueTargetGroupArn: blue, greenTargetGroupArn: green, ...extra });
const listenerWith = (actions: Action[]) =>
  elb
    .on(DescribeListenersCommand)
    .resolves({ Listeners: [{ ListenerArn: listenerArn, DefaultActions: actions }] });

const oidc: Action = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://idp.example.com',
    AuthorizationEndpoint: 'https://idp.example.com/auth',
    TokenEndpoint: 'https://idp.example.com/token',
    UserInfoEndpoint: 'https://idp.example.com/userinfo',
    ClientId: 'switchyard',
  },
};
const stickiness = { Enabled: true, DurationSeconds: 3600 };

describe('ALB router against a mocked SDK', () => {
  it('writes one ModifyListener that keeps other actions, their order and stickiness', async () => {
    listenerWith([
      oidc,
      {
        Type: 'forward',
        Order: 2,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: blue, Weight: 1 }],
          TargetGroupStickinessConfig: stickiness,
        },
      },
    ]);
    expect(await router().apply(pct(10))).toEqual({});
    expect(elb.commandCalls(ModifyListenerCommand).map((c) => c.args[0].input)).toEqual([
      {
        ListenerArn: listenerArn,
        DefaultActions: [
          // Describe never returns the client secret, so AWS must be told to keep the one it has.
          {
            ...oidc,
            AuthenticateOidcConfig: { ...oidc.AuthenticateOidcConfig, UseExistingClientSecret: true },
          },
          {
            Type: 'forward',
            Order: 2,
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 900 },
                { TargetGroupArn: green, Weight: 100 },
              ],
              TargetGroupStickinessConfig: stickiness,
            },
          },
        ],
      },
    ]);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
  });

  it('replaces the legacy TargetGroupArn form with a ForwardConfig, and never writes 1000', async () => {
    listenerWith([{ Type: 'forward', TargetGroupArn: blue }]);
    await router().apply(pct(100));
    expect(elb.commandCalls(ModifyListenerCommand)[0]?.args[0].input.DefaultActions).toEqual([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: blue, Weight: 0 },
            { TargetGroupArn: green, Weight: 999 },
          ],
        },
      },
    ]);
  });

  it('writes a rule with ModifyRule, sending only its actions so the conditions stay', async () => {
    elb.on(DescribeRulesCommand, { RuleArns: [ruleArn] }).resolves({
      Rules: [{ RuleArn: ruleArn, Actions: [{ Type: 'forward', TargetGroupArn: blue }] }],
    });
    await router({ ruleArn }).apply(pct(50));
    expect(elb.commandCalls(ModifyRuleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RuleArn: ruleArn,
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 500 },
                { TargetGroupArn: green, Weight: 500 },
              ],
            },
          },
        ],
      },
    ]);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('writes nothing when the listener is refused', async () => {
    listenerWith([{ Type: 'forward', TargetGroupArn: 'arn:tg/someone-else' }]);
    await expect(router().apply(pct(10))).rejects.toMatchObject({ retryable: false });
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('verifies exact weights and says what the listener shows when they differ', async () => {
    const forward = (b: number, g: number): Action => ({
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blue, Weight: b },
          { TargetGroupArn: green, Weight: g },
        ],
      },
    });
    listenerWith([forward(99, 1)]);
    expect(await router().verify(pct(1))).toEqual({
      ready: false,
      message: `listener ${listenerArn}: blue 99, green 1; want blue 990, green 10`,
    });
    listenerWith([forward(990, 10)]);
    expect(await router().verify(pct(1))).toMatchObject({ ready: true });
    // A listener that was never weighted already sends nothing to green.
    listenerWith([{ Type: 'forward', TargetGroupArn: blue }]);
    expect(await router().verify(pct(0))).toMatchObject({ ready: true });
  });

  it('wraps SDK errors so they name the listener and keep their retryability', async () => {
    elb
      .on(DescribeListenersCommand)
      .rejects(new ListenerNotFoundException({ message: 'gone', $metadata: {} }));
    const error = await router()
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      retryable: false,
      message: `describe listener ${listenerArn}: ListenerNotFoundException: gone`,
    });

    const denied = Object.assign(new Error('not allowed'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    elb.on(DescribeListenersCommand).rejects(denied);
    await expect(router().apply(pct(10))).rejects.toMatchObject({ retryable: false });
    elb.on(DescribeRulesCommand).rejects(new RuleNotFoundException({ message: 'gone', $metadata: {} }));
    await expect(router({ ruleArn }).read()).rejects.toMatchObject({
      retryable: false,
      message: `describe rule ${ruleArn} (listener ${listenerArn}): RuleNotFoundException: gone`,
    });

    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });
    elb.on(DescribeListenersCommand).rejects(throttled);
    await expect(router().read()).rejects.toMatchObject({ retryable: true });
  });

  it('never lets two apply() calls on one listener overlap', async () => {
    let actions: Action[] = [{ Type: 'forward', TargetGroupArn: blue }];
    const events: string[] = [];
    elb.on(DescribeListenersCommand).callsFake(async () => {
      events.push('describe');
      await sleep(20);
      return { Listeners: [{ ListenerArn: listenerArn, DefaultActions: actions }] };
    });
    elb.on(ModifyListenerCommand).callsFake(async (input: { DefaultActions: Action[] }) => {
      events.push('modify');
      await sleep(20);
      actions = input.DefaultActions;
      return {};
    });
    const serializer = new KeyedSerializer();
    // Two routers sharing a serializer, as two promotions' routers on one listener would.
    await Promise.all([router({ serializer }).apply(pct(10)), router({ serializer }).apply(pct(20))]);
    expect(events).toEqual(['describe', 'modify', 'describe', 'modify']);
    expect(await router().read()).toMatchObject({ kind: 'weighted', green: 20 });
  });
});
