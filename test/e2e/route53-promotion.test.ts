import { DescribeClusterCommand, ListClustersCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { expect, it } from 'vitest';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { worldCredentials } from '../env/world.js';
import { describeWithServers, testEnvironment } from '../integration/environment.js';
import { useE2E } from './support.js';

describeWithServers('a full promotion with Route 53 traffic, driven through the CLI and the API', () => {
  const e2e = useE2E();

  it('provisions green, qualifies it, shifts 1 → 10 → 50 → 100 verified, and decommissions blue after approval', async () => {
    const env = testEnvironment();
    const promote = await e2e.cli(['promote', 'shop', '--to', '1.36', '--output', 'json']);
    expect(promote.code, promote.stderr).toBe(0);
    const id = JSON.parse(promote.stdout).id as string;

    const waiting = await e2e.waitFor(
      id,
      (p) => p.phase === 'waiting-approval' || p.phase === 'rolled-back' || p.phase === 'rolling-back',
    );
    expect(waiting.phase, JSON.stringify(waiting.stages, null, 1)).toBe('waiting-approval');
    expect(waiting.gates.map((g: { id: string }) => g.id)).toEqual(['decommission']);
    expect(waiting.traffic.history.map((h: { green: number }) => h.green)).toEqual([1, 10, 50, 100]);
    // The deprecated Endpoints object on blue shows up as a warning, not a failure.
    expect(waiting.stages['qualify-foundation'].message).toMatch(/warning/i);

    const aws = createAwsClients({
      region: env.awsRegion,
      endpoint: env.awsEndpoint,
      credentials: worldCredentials,
    });
    const records = await aws.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: e2e.world.aws.hostedZoneId }),
    );
    const weights = Object.fromEntries(
      (records.ResourceRecordSets ?? [])
        .filter((r) => r.Name === 'shop.example.test.')
        .map((r) => [r.SetIdentifier, r.Weight]),
    );
    expect(weights).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect((await aws.eks.send(new DescribeClusterCommand({ name: 'shop-green' }))).cluster?.version).toBe(
      '1.36',
    );
    expect((await aws.eks.send(new ListNodegroupsCommand({ clusterName: 'shop-green' }))).nodegroups).toEqual(
      ['general'],
    );

    // Decommission needs an admin.
    const asOperator = await e2e.cli(['approve', id]);
    expect(asOperator.code).toBe(3);
    const approved = await e2e.api(
      'POST',
      `/v1/promotions/${id}/approve`,
      { gate: 'decommission' },
      e2e.world.tokens.admin,
    );
    expect(approved.status).toBe(200);
    const done = await e2e.waitFor(id, (p) => p.phase === 'succeeded');
    expect(done.stages.decommission.state).toBe('succeeded');
    expect((await aws.eks.send(new ListClustersCommand({}))).clusters?.sort()).toEqual([
      'payments-blue',
      'shop-green',
    ]);

    const status = await e2e.cli(['status', id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/succeeded/);
    aws.destroy();
  });
});
