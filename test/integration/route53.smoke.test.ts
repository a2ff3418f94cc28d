import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { expect, it } from 'vitest';
import { describeWithServers, motoClients } from './environment.js';

describeWithServers('Route 53 on moto (smoke)', () => {
  const aws = motoClients();

  it('creates a hosted zone and a weighted record pair in one batch, and reads the weights back', async () => {
    const zone = await aws.route53.send(
      new CreateHostedZoneCommand({ Name: 'smoke.example.com', CallerReference: `smoke-${Date.now()}` }),
    );
    const zoneId = zone.HostedZone?.Id;
    expect(zoneId).toBeDefined();

    const weighted = (setIdentifier: string, target: string, weight: number) => ({
      Action: 'UPSERT' as const,
      ResourceRecordSet: {
        Name: 'app.smoke.example.com',
        Type: 'CNAME' as const,
        SetIdentifier: setIdentifier,
        Weight: weight,
        TTL: 60,
        ResourceRecords: [{ Value: target }],
      },
    });
    const change = await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            weighted('blue', 'blue.lb.example.com', 230),
            weighted('green', 'green.lb.example.com', 25),
          ],
        },
      }),
    );
    const status = await aws.route53.send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }));
    expect(status.ChangeInfo?.Status).toBe('INSYNC');

    const listed = await aws.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'app.smoke.example.com' }),
    );
    const weights = Object.fromEntries(
      (listed.ResourceRecordSets ?? [])
        .filter((r) => r.Name === 'app.smoke.example.com.' && r.Type === 'CNAME')
        .map((r) => [
          r.SetIdentifier,
          { weight: r.Weight, ttl: r.TTL, target: r.ResourceRecords?.[0]?.Value },
        ]),
    );
    expect(weights).toEqual({
      blue: { weight: 230, ttl: 60, target: 'blue.lb.example.com' },
      green: { weight: 25, ttl: 60, target: 'green.lb.example.com' },
    });
  });
});
