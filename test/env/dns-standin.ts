/**
 * A small authoritative DNS server on loopback that answers like a pair of Route 53 weighted records:
 * each A query for a name gets one of its records, chosen by weight, as a CNAME to that record's target
 * plus the target's A record, both with the TTL given. The records come from a function asked on every
 * query, so a caller can serve fixed weights (tests) or read them from moto's weighted record sets.
 *
 * Records are chosen in a fixed rotation (smooth weighted round robin) by default: over any run of
 * queries as long as the weights' sum, each record is answered exactly its weight's number of times, so
 * a test can count what it expects. The rotation is one per name, shared by every client that asks;
 * `choose: 'random'` draws each answer independently instead, as Route 53 does, for tests where many
 * clients share the server and each must see the weights. A name with no records is NXDOMAIN; AAAA
 * queries get no data.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';

export interface WeightedRecord {
  /** Route 53's set identifier, e.g. "shop-a": what the rotation keys on. */
  readonly id: string;
  readonly weight: number;
  /** The record's value, e.g. the cluster load balancer's DNS name; absent: the A record is the name's own. */
  readonly cname?: string;
  /** The address the answer ends at (127.0.0.2, 127.0.0.3: Linux loopback answers every 127/8 address). */
  readonly address: string;
}

export interface DnsStandInOptions {
  /** The records of a (lower-case, dot-less) name; none: NXDOMAIN. */
  readonly records: (name: string) => readonly WeightedRecord[] | Promise<readonly WeightedRecord[]>;
  readonly ttlSeconds: number;
  /** 'rotation' (default): exact shares over every run of queries; 'random': an independent draw per query. */
  readonly choose?: 'rotation' | 'random';
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
}

export interface DnsStandIn {
  /** "127.0.0.1:53535": what `traffic.probe.resolver` takes. */
  readonly server: string;
  readonly port: number;
  /** Queries answered so far, by name. */
  queries(name?: string): number;
  close(): Promise<void>;
}

const nxdomain = 3;

export async function startDnsStandIn(options: DnsStandInOptions): Promise<DnsStandIn> {
  const host = options.host ?? '127.0.0.1';
  const socket: Socket = createSocket('udp4');
  const counted = new Map<string, number>();
  /** Smooth weighted round robin state: each record's running credit, per name. */
  const credit = new Map<string, Map<string, number>>();

  function choose(name: string, records: readonly WeightedRecord[]): WeightedRecord | undefined {
    // Route 53 treats all-zero weights as equal ones.
    const weighted = records.some((r) => r.weight > 0) ? records.filter((r) => r.weight > 0) : records;
    if (options.choose === 'random') return draw(weighted);
    const credits = credit.get(name) ?? new Map<string, number>();
    credit.set(name, credits);
    const total = weighted.reduce((sum, r) => sum + Math.max(r.weight, 1), 0);
    let best: WeightedRecord | undefined;
    for (const record of weighted) {
      const value = (credits.get(record.id) ?? 0) + Math.max(record.weight, 1);
      credits.set(record.id, value);
      if (best === undefined || value > (credits.get(best.id) ?? 0)) best = record;
    }
    if (best !== undefined) credits.set(best.id, (credits.get(best.id) ?? 0) - total);
    return best;
  }

  function draw(records: readonly WeightedRecord[]): WeightedRecord | undefined {
    const total = records.reduce((sum, r) => sum + Math.max(r.weight, 1), 0);
    let at = Math.random() * total;
    for (const record of records) {
      at -= Math.max(record.weight, 1);
      if (at < 0) return record;
    }
    return records.at(-1);
  }

  async function answer(query: Buffer, from: RemoteInfo): Promise<void> {
    const request = dnsPacket.decode(query);
    const question = request.questions?.[0];
    if (question === undefined) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    counted.set(name, (counted.get(name) ?? 0) + 1);
    const records = await options.records(name);
    const chosen = question.type === 'A' ? choose(name, records) : undefined;
    const ttl = options.ttlSeconds;
    const answers: dnsPacket.Answer[] =
      chosen === undefined
        ? []
        : chosen.cname === undefined
          ? [{ type: 'A', name: question.name, ttl, data: chosen.address }]
          : [
              { type: 'CNAME', name: question.name, ttl, data: chosen.cname },
              { type: 'A', name: chosen.cname, ttl, data: chosen.address },
            ];
    const reply = dnsPacket.encode({
      type: 'response',
      id: request.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (records.length === 0 ? nxdomain : 0),
      questions: [question],
      answers,
    });
    socket.send(reply, from.port, from.address);
  }

  socket.on('message', (message, from) => {
    answer(message, from).catch(() => {
      // A query the stand-in cannot parse or answer goes unanswered; the client times out, as with a real server.
    });
  });
  socket.bind(options.port ?? 0, host);
  await once(socket, 'listening');
  const port = socket.address().port;
  return {
    server: `${host}:${port}`,
    port,
    queries: (name) =>
      name === undefined ? [...counted.values()].reduce((a, b) => a + b, 0) : (counted.get(name) ?? 0),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
