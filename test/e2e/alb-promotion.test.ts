import { DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect, it } from 'vitest';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { worldCredentials } from '../env/world.js';
import { describeWithServers, testEnvironment } from '../integration/environment.js';
import { useE2E } from './support.js';

describeWithServers('a full promotion with ALB traffic, with a manual weight mid-canary', () => {
  const e2e = useE2E();

  it('shifts through weighted target groups; a manual weight pauses stepping until resume', async () => {
    const env = testEnvironment();
    const aws = createAwsClients({
      region: env.awsRegion,
      endpoint: env.awsEndpoint,
      credentials: worldCredentials,
    });
    const listenerWeights = async () => {
      const listener = await aws.elbv2.send(
        new DescribeListenersCommand({ ListenerArns: [e2e.world.aws.listenerArn] }),
      );
      const groups = listener.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? [];
      const weight = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
      return {
        blue: weight(e2e.world.aws.blueTargetGroupArn),
        green: weight(e2e.world.aws.greenTargetGroupArn),
      };
    };

    const created = await e2e.api('POST', '/v1/promotions', { platform: 'payments', targetVersion: '1.36' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await e2e.waitFor(id, (p) => p.traffic.green === 50);
    expect(await listenerWeights()).toEqual({ blue: 500, green: 500 });

    // A person takes over mid-canary: 20 % to green, through the CLI.
    const manual = await e2e.cli(['traffic', 'payments', '--green', '20']);
    expect(manual.code, manual.stderr).toBe(0);
    const held = await e2e.waitFor(id, (p) => p.traffic.green === 20 && p.traffic.manualChange === undefined);
    expect(held).toMatchObject({ phase: 'paused', traffic: { manual: true } });
    expect(await listenerWeights()).toEqual({ blue: 800, green: 200 });
    // Automatic stepping stays paused: nothing moves past the manual weight while paused.
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await e2e.api('GET', `/v1/promotions/${id}`)).body.traffic.green).toBe(20);

    const resumed = await e2e.cli(['resume', 'payments']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const waiting = await e2e.waitFor(id, (p) => p.phase === 'waiting-approval');
    expect(
      waiting.traffic.history.map((h: { green: number; reason: string }) => `${h.green}:${h.reason}`),
    ).toEqual(['50:step', '20:manual', '50:step', '100:step']);
    expect(await listenerWeights()).toEqual({ blue: 0, green: 999 });
    aws.destroy();
  });
});
