/**
 * The ALB router against moto 5.2. Where moto differs from AWS, and why the tests still mean something:
 * - moto stores whatever ModifyListener sends: it checks neither the 0..999 weight range, nor the
 *   five-group limit, nor target group existence (ModifyRule does check existence). The router
 *   enforces these itself and the unit tests pin the exact requests, so moto only proves the round trip.
 * - moto fills an omitted Weight with 1 and an omitted TargetGroupStickinessConfig with
 *   { Enabled: false }; it accepts any stickiness duration. AWS requires 1..604800 s when enabled.
 * - A forward action written with the legacy TargetGroupArn comes back from moto in that form only;
 *   AWS also reports a one-group ForwardConfig. The router reads both forms as "blue only".
 * - moto routes no traffic: these tests check the weights the API reports, not where requests go.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import type { TrafficRouter } from '../../src/domain/ports.js';
import type { GreenPercent } from '../../src/domain/weights.js';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { createAlbRouter } from '../../src/routers/alb/adapter.js';
import { startFaultProxy } from '../env/fault-proxy.js';
import { seededRandom } from '../env/seeded-random.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';
import {
  createAlbFixture,
  createListener,
  createRule,
  forwardWeights,
  listenerActions,
  ruleActions,
} from './support/alb-fixture.js';

const pct = (n: number) => n as GreenPercent;
const blueOnly = (arn: string): Action[] => [{ Type: 'forward', TargetGroupArn: arn }];

describeWithServers('ALB router on moto', () => {
  const env = testEnvironment();
  const connection = { region: env.awsRegion, endpoint: env.awsEndpoint, credentials: dummyCredentials };
  const aws = createAwsClients(connection);
  const ec2 = new EC2Client(connection);
  afterAll(() => {
    aws.destroy();
    ec2.destroy();
  });
  const routerFor = (fixture: { blue: string; green: string }, listenerArn: string, extra = {}) =>
    createAlbRouter({
      client: aws.elbv2,
      listenerArn,
      blueTargetGroupArn: fixture.blue,
      greenTargetGroupArn: fixture.green,
      ...extra,
    });

  /** The promotion's steps and a rollback, each verified by the router and checked in the raw API. */
  async function walk(router: TrafficRouter, actions: () => Promise<Action[]>, blue: string, green: string) {
    const steps: [number, number, number][] = [
      [1, 990, 10],
      [10, 900, 100],
      [50, 500, 500],
      [100, 0, 999],
      [0, 999, 0],
    ];
    for (const [percent, blueWeight, greenWeight] of steps) {
      await router.apply(pct(percent));
      expect(await router.verify(pct(percent))).toMatchObject({ ready: true });
      expect(forwardWeights(await actions())).toEqual([
        [blue, blueWeight],
        [green, greenWeight],
      ]);
      expect(await router.read()).toMatchObject({ kind: 'weighted', green: percent });
    }
  }

  it("shifts a listener's default action from blue only to green and back", async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-listener');
    const listenerArn = await createListener(aws.elbv2, fixture, blueOnly(fixture.blue));
    const router = routerFor(fixture, listenerArn);
    expect(router.ttlSeconds).toBe(10);
    expect(await router.read()).toMatchObject({ kind: 'unweighted', green: 0 });
    expect(await router.verify(pct(10))).toMatchObject({ ready: false });
    await walk(router, () => listenerActions(aws.elbv2, listenerArn), fixture.blue, fixture.green);
  });

  it("shifts a listener rule's forward action and leaves the listener's default action alone", async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-rule');
    const listenerArn = await createListener(aws.elbv2, fixture, blueOnly(fixture.other));
    const defaultBefore = await listenerActions(aws.elbv2, listenerArn);
    const ruleArn = await createRule(aws.elbv2, listenerArn, blueOnly(fixture.blue));
    const router = routerFor(fixture, listenerArn, { ruleArn });
    expect(await router.read()).toMatchObject({ kind: 'unweighted', green: 0 });
    await walk(router, () => ruleActions(aws.elbv2, ruleArn), fixture.blue, fixture.green);
    expect(await listenerActions(aws.elbv2, listenerArn)).toEqual(defaultBefore);
  });

  it('writes from the reading it is handed: one describe before the modify', async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-basis');
    const listenerArn = await createListener(aws.elbv2, fixture, blueOnly(fixture.blue));
    const router = routerFor(fixture, listenerArn);
    const sent: string[] = [];
    aws.elbv2.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countBasisCommands' },
    );
    try {
      for (const percent of [10, 0]) {
        sent.length = 0;
        await router.apply(pct(percent), await router.read());
        expect(sent).toEqual(['DescribeListenersCommand', 'ModifyListenerCommand']);
        expect(await router.verify(pct(percent))).toMatchObject({ ready: true });
      }
    } finally {
      aws.elbv2.middlewareStack.remove('countBasisCommands');
    }
  });

  it('keeps target group stickiness across weight changes', async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-sticky');
    const stickiness = { Enabled: true, DurationSeconds: 900 };
    const listenerArn = await createListener(aws.elbv2, fixture, [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: fixture.blue, Weight: 1 }],
          TargetGroupStickinessConfig: stickiness,
        },
      },
    ]);
    const router = routerFor(fixture, listenerArn);
    await router.apply(pct(10));
    await router.apply(pct(50));
    const forward = (await listenerActions(aws.elbv2, listenerArn))[0];
    expect(forward?.ForwardConfig?.TargetGroupStickinessConfig).toEqual(stickiness);
    expect(forwardWeights(forward ? [forward] : [])).toEqual([
      [fixture.blue, 500],
      [fixture.green, 500],
    ]);
  });

  it('refuses a rule that also forwards to a third target group, unless told to keep it', async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-third');
    const listenerArn = await createListener(aws.elbv2, fixture, blueOnly(fixture.blue));
    const ruleArn = await createRule(aws.elbv2, listenerArn, [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: fixture.blue, Weight: 600 },
            { TargetGroupArn: fixture.other, Weight: 200 },
            { TargetGroupArn: fixture.green, Weight: 200 },
          ],
        },
      },
    ]);
    const before = await ruleActions(aws.elbv2, ruleArn);
    const strict = routerFor(fixture, listenerArn, { ruleArn });
    const refusal = { retryable: false, message: expect.stringContaining(`rule ${ruleArn}`) };
    await expect(strict.read()).rejects.toMatchObject(refusal);
    await expect(strict.apply(pct(10))).rejects.toMatchObject(refusal);
    expect(await ruleActions(aws.elbv2, ruleArn)).toEqual(before);

    const keeping = routerFor(fixture, listenerArn, { ruleArn, keepOtherTargetGroups: true });
    // 200 of blue + green's 800 goes to green: the third group's share is not part of the percent.
    expect(await keeping.read()).toMatchObject({ kind: 'weighted', green: 25 });
    await keeping.apply(pct(50));
    expect(await keeping.verify(pct(50))).toMatchObject({ ready: true });
    expect(forwardWeights(await ruleActions(aws.elbv2, ruleArn))).toEqual([
      [fixture.blue, 500],
      [fixture.other, 200],
      [fixture.green, 500],
    ]);
  });

  it('rolls back with exactly one mutating call, then reads the weights back', async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-rollback');
    const listenerArn = await createListener(aws.elbv2, fixture, blueOnly(fixture.blue));
    await routerFor(fixture, listenerArn).apply(pct(50));

    const counted = createAwsClients(connection);
    const calls: string[] = [];
    counted.elbv2.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const router = createAlbRouter({
      client: counted.elbv2,
      listenerArn,
      blueTargetGroupArn: fixture.blue,
      greenTargetGroupArn: fixture.green,
    });
    await router.apply(pct(0));
    expect(await router.verify(pct(0))).toMatchObject({ ready: true });
    counted.destroy();
    expect(calls).toEqual(['DescribeListenersCommand', 'ModifyListenerCommand', 'DescribeListenersCommand']);
    expect(forwardWeights(await listenerActions(aws.elbv2, listenerArn))).toEqual([
      [fixture.blue, 999],
      [fixture.green, 0],
    ]);
  });

  it('fails fast on a listener that does not exist, naming it', async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-missing');
    const missing = fixture.loadBalancerArn
      .replace(':loadbalancer/', ':listener/')
      .concat('/0123456789abcdef');
    const router = routerFor(fixture, missing);
    for (const attempt of [router.read(), router.apply(pct(10))]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'ProviderError',
        retryable: false,
        message: expect.stringContaining(`listener ${missing}`),
        // One attempt: the SDK did not retry it either.
        cause: { name: 'ListenerNotFoundException', $metadata: { attempts: 1 } },
      });
    }
  });

  it('carries apply and verify through throttling and 5xx, logging the retries', async () => {
    const fixture = await createAlbFixture(aws.elbv2, ec2, 'alb-faults');
    const listenerArn = await createListener(aws.elbv2, fixture, blueOnly(fixture.blue));
    const proxy = await startFaultProxy(
      env.awsEndpoint,
      { throttleShare: 0.3, serverErrorShare: 0.1 },
      seededRandom(2),
    );
    const logged: { operation?: string; attempts?: number; outcome?: string }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const faulty = createAwsClients({ ...connection, endpoint: proxy.url }, log);
    try {
      const router = createAlbRouter({
        client: faulty.elbv2,
        listenerArn,
        blueTargetGroupArn: fixture.blue,
        greenTargetGroupArn: fixture.green,
      });
      for (const percent of [10, 50, 0]) {
        await router.apply(pct(percent));
        expect(await router.verify(pct(percent))).toMatchObject({ ready: true });
      }
    } finally {
      faulty.destroy();
      await proxy.close();
    }
    expect(proxy.counts.throttled).toBeGreaterThan(0);
    expect(proxy.counts.serverErrors).toBeGreaterThan(0);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).toMatchObject({
        outcome: 'succeeded',
        operation: expect.stringMatching(/^(Describe|Modify)/),
      });
      expect(line.attempts).toBeGreaterThan(1);
    }
    expect(forwardWeights(await listenerActions(aws.elbv2, listenerArn))).toEqual([
      [fixture.blue, 999],
      [fixture.green, 0],
    ]);
  });
});
