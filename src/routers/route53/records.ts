import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { InvalidInputError, ProviderError } from '../../domain/errors.js';

/** Where one side of the split points: an alias (e.g. to a load balancer) or literal record values. */
export interface Route53Target {
  readonly setIdentifier: string;
  readonly alias?: {
    readonly dnsName: string;
    readonly hostedZoneId: string;
    readonly evaluateTargetHealth: boolean;
  };
  readonly values?: readonly string[];
}

/** The record a router manages, and what its two weighted records should contain. */
export interface RecordSpec {
  readonly recordName: string;
  readonly recordType: 'A' | 'AAAA' | 'CNAME';
  /** TTL written on non-alias records. */
  readonly ttlSeconds: number;
  readonly blue: Route53Target;
  readonly green: Route53Target;
}

/** What the record name/type holds today, once judged safe to manage. */
export type RecordGroup =
  | { readonly kind: 'simple'; readonly record: ResourceRecordSet }
  | { readonly kind: 'weighted'; readonly blue: ResourceRecordSet; readonly green: ResourceRecordSet };

/** Resolvers cache alias answers for the target's TTL; AWS load balancers answer with 60 s. */
export const aliasTtlSeconds = 60;

/** Rejects targets that cannot be written, before any call is made. */
export function checkSpec(spec: RecordSpec): void {
  for (const side of ['blue', 'green'] as const) {
    const target = spec[side];
    if (!target.setIdentifier) throw new InvalidInputError(`${side}.setIdentifier`, 'must not be empty');
    if ((target.alias === undefined) === (target.values === undefined)) {
      throw new InvalidInputError(side, 'needs exactly one of alias and values');
    }
    if (target.values !== undefined) {
      const most = spec.recordType === 'CNAME' ? 1 : Number.POSITIVE_INFINITY;
      if (target.values.length === 0 || target.values.length > most) {
        throw new InvalidInputError(`${side}.values`, `a ${spec.recordType} record needs 1..${most} values`);
      }
    }
  }
  if (spec.blue.setIdentifier === spec.green.setIdentifier) {
    throw new InvalidInputError('green.setIdentifier', 'must differ from blue.setIdentifier');
  }
  if (!Number.isInteger(spec.ttlSeconds) || spec.ttlSeconds < 0) {
    throw new InvalidInputError('ttlSeconds', `must be a whole number of seconds, got ${spec.ttlSeconds}`);
  }
}

/** The longest time a resolver may keep an answer from either side. */
export function effectiveTtl(spec: RecordSpec): number {
  const ttl = (t: Route53Target) => (t.alias ? aliasTtlSeconds : spec.ttlSeconds);
  return Math.max(ttl(spec.blue), ttl(spec.green));
}

/**
 * Route 53 answers names in lower case with a trailing dot, and escapes characters such as `*` as
 * `\052`; this makes a configured name and a listed one comparable.
 */
export function normalizeName(name: string): string {
  return name
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, '');
}

export function isOurRecord(record: ResourceRecordSet, spec: RecordSpec): boolean {
  return (
    record.Type === spec.recordType && normalizeName(record.Name ?? '') === normalizeName(spec.recordName)
  );
}

/** The routing policy of a listed record, as Route 53 names it. */
function policyOf(record: ResourceRecordSet): string {
  if (record.TrafficPolicyInstanceId) return 'traffic policy';
  if (record.Failover) return 'failover';
  if (record.Region) return 'latency';
  if (record.GeoLocation) return 'geolocation';
  if (record.GeoProximityLocation) return 'geoproximity';
  if (record.CidrRoutingConfig) return 'IP-based';
  if (record.MultiValueAnswer) return 'multivalue answer';
  if (record.Weight !== undefined) return 'weighted';
  return record.SetIdentifier === undefined ? 'simple' : 'unknown';
}

const refuse = (where: string, problem: string) =>
  new ProviderError(`${where}: ${problem}; refusing to manage it`, false);

/**
 * Judges the records of our name and type. Only two shapes are safe to change: the original simple
 * record, or exactly our blue/green weighted pair. Anything else (other routing policies, weighted
 * records someone else owns, mixed TTLs) would make our weights mean something other than the split.
 */
export function classifyGroup(records: readonly ResourceRecordSet[], spec: RecordSpec, where: string) {
  const first = records[0];
  if (first === undefined) {
    throw new ProviderError(`${where}: the record does not exist; create it pointing at blue first`, false);
  }
  for (const record of records) {
    const policy = policyOf(record);
    if (policy !== 'simple' && policy !== 'weighted') {
      const id = record.SetIdentifier === undefined ? '' : ` ${record.SetIdentifier}`;
      throw refuse(where, `record${id} uses ${policy} routing`);
    }
  }
  if (records.length === 1 && policyOf(first) === 'simple') return { kind: 'simple', record: first } as const;
  const ids = records.map((r) => r.SetIdentifier ?? '(no set identifier)');
  if (records.some((r) => policyOf(r) === 'simple')) {
    throw refuse(where, `a simple record exists alongside other records (${ids.join(', ')})`);
  }
  const ours = [spec.blue.setIdentifier, spec.green.setIdentifier];
  const foreign = ids.filter((id) => !ours.includes(id));
  if (foreign.length > 0) throw refuse(where, `weighted records not ours: ${foreign.join(', ')}`);
  if (records.length > 2) throw refuse(where, `${records.length} records (${ids.join(', ')}), expected 2`);
  const ttls = [...new Set(records.flatMap((r) => (r.TTL === undefined ? [] : [r.TTL])))];
  if (ttls.length > 1) throw refuse(where, `mixed TTLs ${ttls.join(' and ')} in one weighted group`);
  const blue = records.find((r) => r.SetIdentifier === spec.blue.setIdentifier);
  const green = records.find((r) => r.SetIdentifier === spec.green.setIdentifier);
  if (!blue || !green)
    throw refuse(where, `only ${ids.join(', ')} exists, expected both ${ours.join(' and ')}`);
  return { kind: 'weighted', blue, green } as const;
}

/** One side's weighted record as we write it: TTL only without alias (alias records have none). */
export function weightedRecord(spec: RecordSpec, side: 'blue' | 'green', weight: number): ResourceRecordSet {
  const target = spec[side];
  const common = { Name: spec.recordName, Type: spec.recordType, SetIdentifier: target.setIdentifier };
  if (target.alias) {
    const { dnsName, hostedZoneId, evaluateTargetHealth } = target.alias;
    return {
      ...common,
      Weight: weight,
      AliasTarget: {
        DNSName: dnsName,
        HostedZoneId: hostedZoneId,
        EvaluateTargetHealth: evaluateTargetHealth,
      },
    };
  }
  return {
    ...common,
    Weight: weight,
    TTL: spec.ttlSeconds,
    ResourceRecords: (target.values ?? []).map((Value) => ({ Value })),
  };
}

/**
 * Where a record sends traffic, comparable across how Route 53 echoes it: case, trailing dots and the
 * `dualstack.` prefix it may add to load balancer aliases do not change the destination.
 */
export function destination(record: ResourceRecordSet): string {
  if (record.AliasTarget) {
    const dns = normalizeName(record.AliasTarget.DNSName ?? '').replace(/^dualstack\./, '');
    return `alias ${dns} (zone ${record.AliasTarget.HostedZoneId ?? '?'})`;
  }
  const values = (record.ResourceRecords ?? []).map((r) => normalizeName(r.Value ?? ''));
  return values.sort().join(', ');
}

/** What differs between a listed weighted record and the one we want, or undefined if nothing. */
export function mismatch(side: string, actual: ResourceRecordSet, wanted: ResourceRecordSet) {
  const problems: string[] = [];
  if (actual.Weight !== wanted.Weight) problems.push(`weight ${actual.Weight} (want ${wanted.Weight})`);
  if (actual.TTL !== wanted.TTL) problems.push(`TTL ${actual.TTL ?? 'none'} (want ${wanted.TTL ?? 'none'})`);
  if (destination(actual) !== destination(wanted)) {
    problems.push(`target ${destination(actual)} (want ${destination(wanted)})`);
  }
  return problems.length === 0 ? undefined : `${side} ${problems.join(', ')}`;
}
