import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import { type GreenPercent, greenPercent } from '../../src/domain/weights.js';
import { createRoute53Router, type Route53RouterOptions } from '../../src/routers/route53/adapter.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';

// What moto does and does not show here: ChangeResourceRecordSets and GetChange always answer INSYNC
// (PENDING is covered by the unit tests); moto lets a simple record, foreign weighted records, mixed
// TTLs and other routing policies coexist under one name, which real Route 53 partly refuses, so the
// refusal cases can be staged; it checks a DELETE only against the values it saw created.

const elbZoneUsEast1 = 'Z35SXDOTRQ7X7K';

describeWithServers('Route 53 router on moto', () => {
  const env = testEnvironment();
  const route53 = new Route53Client({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: dummyCredentials,
  });
  afterAll(() => route53.destroy());

  // Every command the client sends, once per call (retries are below this step), to count writes.
  const sent: string[] = [];
  route53.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  const writes = () => sent.filter((c) => c === 'ChangeResourceRecordSetsCommand').length;

  /** moto is reset per file, not per test: each test gets a zone of its own. */
  async function zoneWith(name: string, records: ResourceRecordSet[]): Promise<string> {
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}` }),
    );
    const zoneId = zone.HostedZone?.Id ?? '';
    if (records.length > 0) {
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: records.map((r) => ({ Action: 'CREATE', ResourceRecordSet: r })) },
        }),
      );
    }
    return zoneId;
  }

  async function listed(zoneId: string, name: string) {
    const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    return (out.ResourceRecordSets ?? []).filter((r) => r.Name === `${name}.`);
  }

  const cname = (name: string, value: string, extra: Partial<ResourceRecordSet> = {}): ResourceRecordSet => ({
    Name: name,
    Type: 'CNAME',
    TTL: 300,
    ResourceRecords: [{ Value: value }],
    ...extra,
  });

  function cnameRouter(zoneId: string, name: string, extra: Partial<Route53RouterOptions> = {}) {
    return createRoute53Router({
      client: route53,
      hostedZoneId: zoneId,
      recordName: name,
      recordType: 'CNAME',
      ttlSeconds: 60,
      blue: { setIdentifier: 'blue', values: ['blue.lb.example.com'] },
      green: { setIdentifier: 'green', values: ['green.lb.example.com'] },
      ...extra,
    });
  }

  async function applyAndVerify(router: ReturnType<typeof createRoute53Router>, green: GreenPercent) {
    const { changeId } = await router.apply(green);
    expect(changeId).toMatch(/change/);
    const observed = await router.verify(green, changeId);
    expect(observed).toMatchObject({ ready: true });
    expect((await router.read()).green).toBe(green);
  }

  it('converts a simple CNAME to the weighted pair in one batch, steps up, and rolls back', async () => {
    const name = 'app.cname.example.com';
    const zoneId = await zoneWith('cname.example.com', [cname(name, 'blue.lb.example.com')]);
    const router = cnameRouter(zoneId, name);
    expect(router.ttlSeconds).toBe(60);
    expect(await router.read()).toMatchObject({ kind: 'unweighted', green: 0 });

    const before = writes();
    const { changeId } = await router.apply(greenPercent(1));
    expect(writes() - before).toBe(1);
    const records = await listed(zoneId, name);
    expect(records.map((r) => [r.SetIdentifier, r.Weight, r.TTL, r.ResourceRecords?.[0]?.Value])).toEqual([
      ['blue', 99, 60, 'blue.lb.example.com'],
      ['green', 1, 60, 'green.lb.example.com'],
    ]);
    expect(await router.verify(greenPercent(1), changeId)).toMatchObject({ ready: true });

    for (const step of [10, 50, 100]) await applyAndVerify(router, greenPercent(step));
    await applyAndVerify(router, greenPercent(0));
    expect(await router.read()).toMatchObject({ kind: 'weighted', green: 0 });
  });

  it('converts an A alias to a load balancer and writes the weighted aliases without a TTL', async () => {
    const name = 'app.alias.example.com';
    const alias = (dns: string) => ({
      dnsName: dns,
      hostedZoneId: elbZoneUsEast1,
      evaluateTargetHealth: true,
    });
    const blueDns = 'blue-123456.us-east-1.elb.amazonaws.com';
    const zoneId = await zoneWith('alias.example.com', [
      {
        Name: name,
        Type: 'A',
        AliasTarget: { DNSName: blueDns, HostedZoneId: elbZoneUsEast1, EvaluateTargetHealth: true },
      },
    ]);
    const router = createRoute53Router({
      client: route53,
      hostedZoneId: zoneId,
      recordName: name,
      recordType: 'A',
      ttlSeconds: 300,
      blue: { setIdentifier: 'blue', alias: alias(blueDns) },
      green: { setIdentifier: 'green', alias: alias('green-654321.us-east-1.elb.amazonaws.com') },
    });
    expect(router.ttlSeconds).toBe(60);
    expect(await router.read()).toMatchObject({ kind: 'unweighted', green: 0 });

    await applyAndVerify(router, greenPercent(1));
    const records = await listed(zoneId, name);
    expect(records.map((r) => [r.SetIdentifier, r.Weight, r.TTL, r.AliasTarget?.DNSName])).toEqual([
      ['blue', 99, undefined, blueDns],
      ['green', 1, undefined, 'green-654321.us-east-1.elb.amazonaws.com'],
    ]);
    for (const step of [10, 50, 100, 0]) await applyAndVerify(router, greenPercent(step));
  });

  it('rolls back with exactly one write, then reads the records back', async () => {
    const name = 'app.rollback.example.com';
    const zoneId = await zoneWith('rollback.example.com', [cname(name, 'blue.lb.example.com')]);
    const router = cnameRouter(zoneId, name);
    await router.apply(greenPercent(50));

    sent.length = 0;
    const { changeId } = await router.apply(greenPercent(0));
    expect(sent).toEqual(['ListResourceRecordSetsCommand', 'ChangeResourceRecordSetsCommand']);
    expect(await router.verify(greenPercent(0), changeId)).toMatchObject({ ready: true });
    // The first look at its own change: the read-back goes out beside the status, one of each.
    expect(sent.slice(2).sort()).toEqual(['GetChangeCommand', 'ListResourceRecordSetsCommand']);
  });

  it('writes from the reading it is handed: one read before the write, the conversion included', async () => {
    const name = 'app.basis.example.com';
    const zoneId = await zoneWith('basis.example.com', [cname(name, 'blue.lb.example.com')]);
    const router = cnameRouter(zoneId, name);

    sent.length = 0;
    const simple = await router.read();
    await router.apply(greenPercent(10), simple);
    expect(sent).toEqual(['ListResourceRecordSetsCommand', 'ChangeResourceRecordSetsCommand']);
    expect(await listed(zoneId, name)).toHaveLength(2);

    sent.length = 0;
    const weighted = await router.read();
    expect(weighted.green).toBe(10);
    await router.apply(greenPercent(0), weighted);
    expect(sent).toEqual(['ListResourceRecordSetsCommand', 'ChangeResourceRecordSetsCommand']);
    expect((await router.read()).green).toBe(0);

    // A reading this router did not make is no basis: it reads for itself.
    sent.length = 0;
    await router.apply(greenPercent(50), { ...weighted });
    expect(sent).toEqual(['ListResourceRecordSetsCommand', 'ChangeResourceRecordSetsCommand']);
    expect((await router.read()).green).toBe(50);
  });

  it('says which weight differs when someone changed the records behind its back', async () => {
    const name = 'app.drift.example.com';
    const zoneId = await zoneWith('drift.example.com', [cname(name, 'blue.lb.example.com')]);
    const router = cnameRouter(zoneId, name);
    await router.apply(greenPercent(10));
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: cname(name, 'green.lb.example.com', {
                SetIdentifier: 'green',
                Weight: 20,
                TTL: 60,
              }),
            },
          ],
        },
      }),
    );
    const observed = await router.verify(greenPercent(10));
    expect(observed.ready).toBe(false);
    expect(observed.message).toContain('green weight 20 (want 10)');
  });

  it.each([
    {
      case: 'a third weighted record with a foreign set identifier',
      zone: 'foreign.example.com',
      records: (n: string) => [
        cname(n, 'blue.lb.example.com', { SetIdentifier: 'blue', Weight: 90, TTL: 60 }),
        cname(n, 'green.lb.example.com', { SetIdentifier: 'green', Weight: 10, TTL: 60 }),
        cname(n, 'canary.lb.example.com', { SetIdentifier: 'canary', Weight: 5, TTL: 60 }),
      ],
      problem: /weighted records not ours: canary/,
    },
    {
      case: 'mixed TTLs',
      zone: 'mixed-ttl.example.com',
      records: (n: string) => [
        cname(n, 'blue.lb.example.com', { SetIdentifier: 'blue', Weight: 90, TTL: 60 }),
        cname(n, 'green.lb.example.com', { SetIdentifier: 'green', Weight: 10, TTL: 300 }),
      ],
      problem: /mixed TTLs 60 and 300/,
    },
    {
      case: 'a failover record of the same name',
      zone: 'failover.example.com',
      records: (n: string) => [
        cname(n, 'blue.lb.example.com', { SetIdentifier: 'primary', Failover: 'PRIMARY' }),
        cname(n, 'green.lb.example.com', { SetIdentifier: 'secondary', Failover: 'SECONDARY' }),
      ],
      problem: /uses failover routing/,
    },
  ])('refuses $case, naming the zone and record, and writes nothing', async ({ zone, records, problem }) => {
    const name = `app.${zone}`;
    const zoneId = await zoneWith(zone, records(name));
    const router = cnameRouter(zoneId, name);
    const before = writes();
    for (const call of [router.read(), router.apply(greenPercent(10))]) {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(problem) });
      expect((error as Error).message).toContain(`zone ${zoneId.replace('/hostedzone/', '')} record ${name}`);
    }
    expect(writes()).toBe(before);
  });

  it('fails fast on a hosted zone that does not exist, naming it', async () => {
    const router = cnameRouter('/hostedzone/ZNOSUCHZONE1', 'app.nowhere.example.com');
    const error = await router.apply(greenPercent(10)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('ZNOSUCHZONE1') });
    expect((error as Error).message).toMatch(/NoSuchHostedZone/);
  });

  it('fails fast when the record does not exist', async () => {
    const zoneId = await zoneWith('empty.example.com', []);
    const router = cnameRouter(zoneId, 'app.empty.example.com');
    await expect(router.read()).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/record app\.empty\.example\.com CNAME: the record does not exist/),
    });
  });
});
