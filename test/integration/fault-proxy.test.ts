import { ListClustersCommand } from '@aws-sdk/client-eks';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { type FaultProxy, startFaultProxy } from '../env/fault-proxy.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';

describeWithServers('fault proxy in front of moto', () => {
  const env = testEnvironment();
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  const logged: { operation?: string; attempts?: number; outcome?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const clientsThrough = (url: string, maxAttempts: number) =>
    createAwsClients(
      { region: env.awsRegion, endpoint: url, credentials: dummyCredentials, maxAttempts },
      log,
    );

  it('makes each SDK client see a throttling error it recognises, in its own protocol', async () => {
    proxy = await startFaultProxy(env.awsEndpoint, { throttleShare: 1 });
    const aws = clientsThrough(proxy.url, 1);
    await expect(aws.route53.send(new ListHostedZonesCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(aws.elbv2.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
    });
    await expect(aws.eks.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    // Every call is listed by service and operation, in each protocol's own way of naming it.
    expect(proxy.calls.map((c) => [c.service, c.operation])).toEqual([
      ['route53', 'GET /2013-04-01/hostedzone'],
      ['elasticloadbalancing', 'DescribeLoadBalancers'],
      ['eks', 'GET /clusters'],
    ]);
    aws.destroy();
  });

  it('lets calls succeed through throttling and 5xx when the SDK retries', async () => {
    // Fail the first two attempts of every call, then let it through: a deterministic worst case.
    let call = 0;
    proxy = await startFaultProxy(
      env.awsEndpoint,
      { throttleShare: 0.5, serverErrorShare: 0.5 },
      () => [0.1, 0.9, 1][call++ % 3] ?? 1,
    );
    const aws = clientsThrough(proxy.url, 4);
    const zone = await aws.route53.send(
      new CreateHostedZoneCommand({ Name: 'faults.example.com', CallerReference: `faults-${Date.now()}` }),
    );
    expect(zone.HostedZone?.Name).toBe('faults.example.com.');
    const listed = await aws.route53.send(new ListHostedZonesCommand({}));
    expect(listed.HostedZones?.map((z) => z.Name)).toContain('faults.example.com.');
    expect(proxy.counts).toEqual({ forwarded: 2, throttled: 2, serverErrors: 2, delayed: 0 });
    // Each call's retries are in the log, with the operation named.
    expect(logged.map((l) => [l.operation, l.attempts, l.outcome])).toEqual([
      ['CreateHostedZoneCommand', 3, 'succeeded'],
      ['ListHostedZonesCommand', 3, 'succeeded'],
    ]);
    aws.destroy();
  });
});
