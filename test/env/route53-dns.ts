/**
 * DNS for a Route 53 record held in moto: a query for the record's name is answered the way Route 53
 * answers it, from the record sets moto holds right now. A weighted pair gives one record per query,
 * chosen by weight (dns-standin.ts); a simple record answers itself. The answer is a CNAME to the
 * record's value plus an A record for that value, from an address map the caller gives (e.g. each
 * cluster's load balancer name to its loopback ingress stand-in).
 */
import {
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { type DnsStandIn, startDnsStandIn, type WeightedRecord } from './dns-standin.js';

export interface Route53DnsOptions {
  readonly aws: {
    readonly region: string;
    readonly endpoint: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  readonly hostedZoneId: string;
  /** The record answered, e.g. shop.example.test; other names are NXDOMAIN. */
  readonly recordName: string;
  /** Each record value (a load balancer's DNS name) to the address its A record answers. */
  readonly addresses: Readonly<Record<string, string>>;
  /**
   * The TTL on every answer: the TTL the records are written with. dns-standin.ts takes one TTL per
   * server, so a record written with another TTL is refused rather than answered with the wrong one.
   */
  readonly ttlSeconds: number;
  /** How long one read of moto answers queries (default 200 ms): many clients ask many times a second. */
  readonly cacheMs?: number;
}

/** Lower case, no trailing dot: how the stand-in names a question and how the map is keyed. */
function plainName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The records a query for the name is chosen from, as Route 53 would choose. */
export function answerableRecords(
  sets: readonly ResourceRecordSet[],
  options: Pick<Route53DnsOptions, 'recordName' | 'addresses' | 'ttlSeconds'>,
): WeightedRecord[] {
  const name = plainName(options.recordName);
  const ours = sets.filter((set) => plainName(set.Name ?? '') === name && set.Type === 'CNAME');
  return ours.map((set) => {
    const value = plainName(set.ResourceRecords?.[0]?.Value ?? '');
    const address = options.addresses[value];
    if (address === undefined) throw new Error(`${name} points at ${value}, which has no address in the map`);
    if (set.TTL !== options.ttlSeconds) {
      throw new Error(
        `${name} (${set.SetIdentifier ?? 'simple'}) has TTL ${set.TTL}, not ${options.ttlSeconds}`,
      );
    }
    // A simple record has no weight: it is the only answer.
    return { id: set.SetIdentifier ?? 'simple', weight: set.Weight ?? 1, cname: value, address };
  });
}

export async function startRoute53Dns(options: Route53DnsOptions): Promise<DnsStandIn> {
  const route53 = new Route53Client({
    region: options.aws.region,
    endpoint: options.aws.endpoint,
    credentials: options.aws.credentials,
    maxAttempts: 2,
  });
  const zoneId = options.hostedZoneId.replace(/^\/hostedzone\//, '');
  const cacheMs = options.cacheMs ?? 200;
  let last: { readonly at: number; readonly records: readonly WeightedRecord[] } | undefined;
  let reading: Promise<readonly WeightedRecord[]> | undefined;

  /** The zone's record sets, or undefined when moto could not be read. */
  async function list(): Promise<readonly ResourceRecordSet[] | undefined> {
    try {
      // The zone holds a handful of records: one page, no start name needed.
      const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      return out.ResourceRecordSets ?? [];
    } catch {
      return undefined;
    }
  }

  async function read(): Promise<readonly WeightedRecord[]> {
    const sets = await list();
    // Route 53 keeps answering while its API is unreachable; so does this stand-in, from its last read.
    if (sets === undefined && last !== undefined) return last.records;
    if (sets === undefined) throw new Error(`could not list the records of zone ${zoneId}`);
    const records = answerableRecords(sets, options);
    // moto may apply a change batch one change at a time, so a read can fall between the DELETE of the
    // simple record and the CREATEs of the weighted pair. Route 53 applies a batch atomically: a name
    // that had records never answers NXDOMAIN mid-change, so the last records answer instead.
    if (records.length > 0 || last === undefined) last = { at: Date.now(), records };
    return last.records;
  }

  function current(): Promise<readonly WeightedRecord[]> {
    if (last !== undefined && Date.now() - last.at < cacheMs) return Promise.resolve(last.records);
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  const dns = await startDnsStandIn({
    ttlSeconds: options.ttlSeconds,
    records: (name) => (name === plainName(options.recordName) ? current() : []),
  });
  return {
    server: dns.server,
    port: dns.port,
    queries: (name) => dns.queries(name),
    close: async () => {
      await dns.close();
      route53.destroy();
    },
  };
}
