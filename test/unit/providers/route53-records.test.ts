import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, ProviderError } from '../../../src/domain/errors.js';
import {
  checkSpec,
  classifyGroup,
  destination,
  type RecordSpec,
  weightedRecord,
} from '../../../src/routers/route53/records.js';

const spec: RecordSpec = {
  recordName: 'app.example.com',
  recordType: 'A',
  ttlSeconds: 60,
  blue: { setIdentifier: 'blue', values: ['10.0.0.1'] },
  green: { setIdentifier: 'green', values: ['10.0.0.2'] },
};
const where = 'zone Z1 record app.example.com A';
const record = (extra: Partial<ResourceRecordSet>): ResourceRecordSet => ({
  Name: 'app.example.com.',
  Type: 'A',
  TTL: 60,
  ResourceRecords: [{ Value: '10.0.0.1' }],
  ...extra,
});

describe('classifyGroup', () => {
  it.each([
    ['latency', [record({ SetIdentifier: 'eu', Region: 'eu-west-1' })], /record eu uses latency routing/],
    ['geolocation', [record({ SetIdentifier: 'de', GeoLocation: { CountryCode: 'DE' } })], /geolocation/],
    ['multivalue', [record({ SetIdentifier: 'm1', MultiValueAnswer: true })], /multivalue answer/],
    ['traffic policy', [record({ TrafficPolicyInstanceId: 'tp-1' })], /traffic policy/],
    [
      'a simple record beside weighted ones',
      [record({}), record({ SetIdentifier: 'blue', Weight: 1 })],
      /a simple record exists alongside other records/,
    ],
    ['only one of our pair', [record({ SetIdentifier: 'blue', Weight: 100 })], /only blue exists/],
  ])('refuses %s, naming where, not retryable', (_, records, problem) => {
    let error: unknown;
    try {
      classifyGroup(records, spec, where);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringMatching(problem) });
    expect((error as Error).message).toMatch(/^zone Z1 record app.example.com A: .*; refusing to manage it$/);
  });

  it('accepts the simple record and our weighted pair', () => {
    expect(classifyGroup([record({})], spec, where).kind).toBe('simple');
    const pair = [
      record({ SetIdentifier: 'green', Weight: 1 }),
      record({ SetIdentifier: 'blue', Weight: 99 }),
    ];
    expect(classifyGroup(pair, spec, where)).toMatchObject({
      kind: 'weighted',
      blue: { Weight: 99 },
      green: { Weight: 1 },
    });
  });
});

describe('checkSpec', () => {
  it.each([
    [{ blue: { setIdentifier: 'blue' } }, /blue: needs exactly one of alias and values/],
    [
      {
        green: {
          setIdentifier: 'green',
          values: ['x'],
          alias: { dnsName: 'x', hostedZoneId: 'Z', evaluateTargetHealth: false },
        },
      },
      /green: needs exactly one/,
    ],
    [{ green: { setIdentifier: 'blue', values: ['10.0.0.2'] } }, /must differ/],
    [{ recordType: 'CNAME' as const, blue: { setIdentifier: 'blue', values: ['a', 'b'] } }, /1..1 values/],
    [{ ttlSeconds: -1 }, /ttlSeconds/],
  ])('rejects %j', (change, problem) => {
    expect(() => checkSpec({ ...spec, ...change })).toThrow(InvalidInputError);
    expect(() => checkSpec({ ...spec, ...change })).toThrow(problem);
  });
});

describe('destination', () => {
  it('treats case, trailing dots and the dualstack prefix of load balancer aliases as the same target', () => {
    const wanted = weightedRecord(
      {
        ...spec,
        blue: {
          setIdentifier: 'blue',
          alias: {
            dnsName: 'my-lb.us-east-1.elb.amazonaws.com',
            hostedZoneId: 'Z35',
            evaluateTargetHealth: true,
          },
        },
      },
      'blue',
      1,
    );
    const listed = record({
      ResourceRecords: undefined,
      TTL: undefined,
      AliasTarget: {
        DNSName: 'dualstack.My-LB.us-east-1.elb.amazonaws.com.',
        HostedZoneId: 'Z35',
        EvaluateTargetHealth: true,
      },
    });
    expect(destination(listed)).toBe(destination(wanted));
  });
});
