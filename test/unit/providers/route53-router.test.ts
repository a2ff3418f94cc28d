import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import { greenPercent } from '../../../src/domain/weights.js';
import { KeyedSerializer } from '../../../src/providers/aws/serial.js';
import { createRoute53Router, type Route53RouterOptions } from '../../../src/routers/route53/adapter.js';

// Unit level, for what moto cannot show: PENDING changes, exact batch shapes, concurrency, paging.

const client = new Route53Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const mock = mockClient(client);
afterEach(() => mock.reset());

const name = 'app.example.com';
const options: Route53RouterOptions = {
  client,
  hostedZoneId: '/hostedzone/Z1',
  recordName: name,
  recordType: 'CNAME',
  ttlSeconds: 60,
  blue: { setIdentifier: 'blue', values: ['blue.lb.example.com'] },
  green: { setIdentifier: 'green', values: ['green.lb.example.com'] },
};

const simple: ResourceRecordSet = {
  Name: `${name}.`,
  Type: 'CNAME',
  TTL: 300,
  ResourceRecords: [{ Value: 'blue.lb.example.com' }],
  HealthCheckId: 'hc-1',
};
const weighted = (side: 'blue' | 'green', weight: number, ttl = 60): ResourceRecordSet => ({
  Name: `${name}.`,
  Type: 'CNAME',
  SetIdentifier: side,
  Weight: weight,
  TTL: ttl,
  ResourceRecords: [{ Value: `${side}.lb.example.com` }],
});
/** A record of another name, listed after ours as Route 53 lists in order. */
const next: ResourceRecordSet = {
  Name: 'www.example.com.',
  Type: 'A',
  TTL: 60,
  ResourceRecords: [{ Value: '10.0.0.1' }],
};

const listing = (records: ResourceRecordSet[]) => ({
  ResourceRecordSets: [...records, next],
  IsTruncated: false,
});
const changesOf = (call: number) =>
  mock.commandCalls(ChangeResourceRecordSetsCommand)[call]?.args[0].input.ChangeBatch?.Changes;

describe('Route 53 router: writes', () => {
  it('converts the simple record with DELETE (exactly as listed) + two CREATEs in one batch', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([simple]));
    mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });

    expect(await createRoute53Router(options).apply(greenPercent(1))).toEqual({ changeId: '/change/C1' });
    expect(mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
    expect(mock.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.HostedZoneId).toBe('Z1');
    expect(changesOf(0)).toEqual([
      { Action: 'DELETE', ResourceRecordSet: simple },
      { Action: 'CREATE', ResourceRecordSet: { ...weighted('blue', 99), Name: name } },
      { Action: 'CREATE', ResourceRecordSet: { ...weighted('green', 1), Name: name } },
    ]);
  });

  it('upserts both weighted records in one batch, all to one side without ever writing 0/0', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([weighted('blue', 50), weighted('green', 50)]));
    mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });
    const router = createRoute53Router(options);
    await router.apply(greenPercent(100));
    await router.apply(greenPercent(0));
    const weights = (call: number) =>
      changesOf(call)?.map((c) => [
        c.Action,
        c.ResourceRecordSet?.SetIdentifier,
        c.ResourceRecordSet?.Weight,
      ]);
    expect(weights(0)).toEqual([
      ['UPSERT', 'blue', 0],
      ['UPSERT', 'green', 100],
    ]);
    expect(weights(1)).toEqual([
      ['UPSERT', 'blue', 100],
      ['UPSERT', 'green', 0],
    ]);
  });

  it('does not write when rolling back a record that was never converted', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([simple]));
    expect(await createRoute53Router(options).apply(greenPercent(0))).toEqual({});
    expect(mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('refuses to convert a simple record that does not point at blue', async () => {
    const elsewhere = { ...simple, ResourceRecords: [{ Value: 'old.lb.example.com' }] };
    mock.on(ListResourceRecordSetsCommand).resolves(listing([elsewhere]));
    await expect(createRoute53Router(options).apply(greenPercent(1))).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/points at old.lb.example.com, but blue is blue.lb.example.com/),
    });
    expect(mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('accepts a conversion whose retry failed because an earlier attempt had already committed', async () => {
    mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(listing([simple]))
      .resolves(listing([weighted('blue', 90), weighted('green', 10)]));
    const rejected = new InvalidChangeBatch({
      $metadata: { httpStatusCode: 400 },
      message: 'record not found',
    });
    mock.on(ChangeResourceRecordSetsCommand).rejects(rejected);
    expect(await createRoute53Router(options).apply(greenPercent(10))).toEqual({});
  });

  it('fails a conversion that InvalidChangeBatch rejected when the pair is not what we asked for', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([simple]));
    const rejected = new InvalidChangeBatch({ $metadata: { httpStatusCode: 400 }, message: 'bad batch' });
    mock.on(ChangeResourceRecordSetsCommand).rejects(rejected);
    const error = await createRoute53Router(options)
      .apply(greenPercent(10))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/zone Z1 record app.example.com CNAME: InvalidChangeBatch: bad batch/),
    });
  });
});

describe('Route 53 router: serialized per hosted zone', () => {
  /** A zone whose change calls take a while and record when they start and end. */
  function slowZone() {
    let records: ResourceRecordSet[] = [simple];
    const events: string[] = [];
    let n = 0;
    mock.on(ListResourceRecordSetsCommand).callsFake(async () => listing(records));
    mock
      .on(ChangeResourceRecordSetsCommand)
      .callsFake(async (input: { ChangeBatch: { Changes: Change[] } }) => {
        const call = ++n;
        events.push(`start ${call}`);
        await sleep(30);
        const written = input.ChangeBatch.Changes.filter((c) => c.Action !== 'DELETE');
        records = written.map((c) => ({ ...c.ResourceRecordSet, Name: `${name}.` }) as ResourceRecordSet);
        events.push(`end ${call}`);
        return { ChangeInfo: { Id: `/change/C${call}`, Status: 'INSYNC', SubmittedAt: new Date() } };
      });
    return events;
  }

  it('never overlaps two applies on one router; the second reads what the first wrote', async () => {
    const events = slowZone();
    const router = createRoute53Router(options);
    await Promise.all([router.apply(greenPercent(1)), router.apply(greenPercent(10))]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(changesOf(1)?.map((c) => c.Action)).toEqual(['UPSERT', 'UPSERT']);
  });

  it('never overlaps two routers of one zone that share a serializer', async () => {
    const events = slowZone();
    const serializer = new KeyedSerializer();
    const a = createRoute53Router({ ...options, serializer });
    const b = createRoute53Router({ ...options, hostedZoneId: 'Z1', serializer });
    await Promise.all([a.apply(greenPercent(1)), b.apply(greenPercent(10))]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});

describe('Route 53 router: verify', () => {
  it('is not ready while the change is PENDING, then compares the weights read back', async () => {
    const submitted = new Date('2030-01-01T00:00:00Z');
    mock
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: submitted } })
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: submitted } });
    mock.on(ListResourceRecordSetsCommand).resolves(listing([weighted('blue', 90), weighted('green', 10)]));
    const router = createRoute53Router({ ...options, now: () => new Date('2030-01-01T00:00:30Z') });

    expect(await router.verify(greenPercent(10), '/change/C1')).toEqual({
      ready: false,
      message:
        'change /change/C1 PENDING, submitted 30 s ago (Route 53 zone Z1 record app.example.com CNAME)',
    });
    expect(mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(0);
    expect(await router.verify(greenPercent(10), '/change/C1')).toMatchObject({ ready: true });
  });

  it('reads back beside the first status request after its own write, and never again while pending', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([weighted('blue', 90), weighted('green', 10)]));
    mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C7', Status: 'PENDING', SubmittedAt: new Date() } });
    // The status answers only after the read-back was sent: both were in flight together.
    mock.on(GetChangeCommand).callsFake(async () => {
      const listsWhenAsked = mock.commandCalls(ListResourceRecordSetsCommand).length;
      return {
        ChangeInfo: {
          Id: '/change/C7',
          Status: listsWhenAsked === 2 ? 'INSYNC' : 'PENDING',
          SubmittedAt: new Date(),
        },
      };
    });
    const router = createRoute53Router(options);
    const { changeId } = await router.apply(greenPercent(10));
    expect(mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    // First look: the status and the read-back together; in sync, so verified with no further call.
    expect(await router.verify(greenPercent(10), changeId)).toMatchObject({ ready: true });
    expect(mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(2);
    expect(mock.commandCalls(GetChangeCommand)).toHaveLength(1);

    // Another write, pending at its first look: one read-back then, none at the later pending looks.
    mock
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: { Id: '/change/C7', Status: 'PENDING', SubmittedAt: new Date() } });
    const second = await router.apply(greenPercent(10));
    expect((await router.verify(greenPercent(10), second.changeId)).ready).toBe(false);
    expect((await router.verify(greenPercent(10), second.changeId)).ready).toBe(false);
    expect((await router.verify(greenPercent(10), second.changeId)).ready).toBe(false);
    expect(mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(4);
  });

  it('compares exact weights, TTL and targets, not only the rounded percent', async () => {
    // 230/26 reads as 10% but is not what apply(10) writes.
    mock
      .on(ListResourceRecordSetsCommand)
      .resolves(listing([weighted('blue', 230, 300), weighted('green', 26, 300)]));
    const router = createRoute53Router(options);
    expect((await router.read()).green).toBe(10);
    const observed = await router.verify(greenPercent(10));
    expect(observed.ready).toBe(false);
    expect(observed.message).toContain('blue weight 230 (want 90), TTL 300 (want 60)');
    expect(observed.message).toContain('green weight 26 (want 10), TTL 300 (want 60)');
  });

  it('is ready for 0% on a record never converted, and not ready for any other percent', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([simple]));
    const router = createRoute53Router(options);
    expect(await router.verify(greenPercent(0))).toMatchObject({ ready: true });
    expect(await router.verify(greenPercent(5))).toMatchObject({
      ready: false,
      message: expect.stringMatching(/still the simple record/),
    });
  });
});

describe('Route 53 router: reading', () => {
  it('follows pages within the group, starting each at the next set identifier', async () => {
    mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [weighted('blue', 70)],
        IsTruncated: true,
        NextRecordName: `${name}.`,
        NextRecordType: 'CNAME',
        NextRecordIdentifier: 'green',
      })
      .resolves(listing([weighted('green', 30)]));
    expect(await createRoute53Router(options).read()).toMatchObject({ kind: 'weighted', green: 30 });
    const inputs = mock.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input);
    // Ten records a page, not Route 53's default of 300: a read in a large zone carries our pair and
    // its neighbours, not the zone.
    expect(inputs[0]).toEqual({
      HostedZoneId: 'Z1',
      StartRecordName: name,
      StartRecordType: 'CNAME',
      MaxItems: 10,
    });
    expect(inputs[1]).toMatchObject({ StartRecordName: `${name}.`, StartRecordIdentifier: 'green' });
  });

  it('reads every page of the 100 weighted records a name may hold, ten a page: a foreign one on the last is found', async () => {
    const others = Array.from({ length: 98 }, (_, i) => ({
      ...weighted('blue', 1),
      SetIdentifier: `other-${String(i).padStart(2, '0')}`,
    }));
    const all = [weighted('blue', 70), weighted('green', 30), ...others];
    // A listing in pages of MaxItems records, each page naming the next record to start from.
    mock.on(ListResourceRecordSetsCommand).callsFake((input) => {
      const from =
        input.StartRecordIdentifier === undefined
          ? 0
          : all.findIndex((r) => r.SetIdentifier === input.StartRecordIdentifier);
      const page = all.slice(from, from + Number(input.MaxItems));
      const following = all[from + Number(input.MaxItems)] ?? next;
      return {
        ResourceRecordSets: page,
        IsTruncated: true,
        NextRecordName: following.Name,
        NextRecordType: following.Type,
        ...(following.SetIdentifier === undefined ? {} : { NextRecordIdentifier: following.SetIdentifier }),
      };
    });
    await expect(createRoute53Router(options).read()).rejects.toThrow(
      /weighted records not ours: other-00, .*, other-97; refusing to manage it/,
    );
    expect(mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(10);
  });

  it('stops at the first page when the next one starts past our record', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves({
      ...listing([simple]),
      IsTruncated: true,
      NextRecordName: 'zz.example.com.',
      NextRecordType: 'A',
    });
    expect(await createRoute53Router(options).read()).toMatchObject({ kind: 'unweighted', green: 0 });
    expect(mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('reads an all-zero pair as an undefined percent', async () => {
    mock.on(ListResourceRecordSetsCommand).resolves(listing([weighted('blue', 0), weighted('green', 0)]));
    expect(await createRoute53Router(options).read()).toMatchObject({ kind: 'weighted', green: undefined });
  });

  it('takes the TTL of alias records as 60 s, and the configured TTL otherwise', () => {
    const alias = (dnsName: string) => ({
      dnsName,
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      evaluateTargetHealth: true,
    });
    const blue = { setIdentifier: 'blue', alias: alias('blue.elb.amazonaws.com') };
    const green = { setIdentifier: 'green', alias: alias('green.elb.amazonaws.com') };
    expect(createRoute53Router({ ...options, recordType: 'A', blue, green }).ttlSeconds).toBe(60);
    expect(createRoute53Router({ ...options, ttlSeconds: 300 }).ttlSeconds).toBe(300);
  });

  it('matches names across case, trailing dot and octal escapes', async () => {
    const wildcard = { ...simple, Name: '\\052.APPS.example.com.' };
    mock.on(ListResourceRecordSetsCommand).resolves(listing([wildcard]));
    const router = createRoute53Router({ ...options, recordName: '*.apps.example.com' });
    expect(await router.read()).toMatchObject({ kind: 'unweighted' });
  });
});
