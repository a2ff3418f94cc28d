/**
 * One client's DNS: asks a DNS server directly over UDP (not through Node's resolver, so nothing is
 * shared with the product's probe or with other clients) and keeps each answer for its TTL, as a stub
 * resolver with a cache does. Every client in the synthetic population has its own.
 */
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

/** One answer, as the client used it. */
export interface Answer {
  /** The name the CNAME pointed at (the record value), or the queried name itself without one. */
  readonly target: string;
  readonly address: string;
  /** When the query that got this answer was sent: the answer reflects the records at that time or later. */
  readonly askedAt: number;
  readonly expiresAt: number;
}

export interface ClientResolver {
  /** The cached answer while its TTL lasts, else a new one; rejects when the server does not answer. */
  resolve(name: string): Promise<Answer>;
}

/** What one query takes before it is sent again, and how many sends before giving up. */
const queryTimeoutMs = 1_000;
const sends = 2;

/** One A query, sent up to `sends` times; resolves with the decoded response. */
function query(server: { host: string; port: number }, name: string): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const id = Math.floor(Math.random() * 65_535);
    const packet = dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      socket.close();
      outcome();
    };
    const send = () => {
      if (sent >= sends) {
        finish(() => reject(new Error(`no DNS answer for ${name} from ${server.host}:${server.port}`)));
        return;
      }
      sent++;
      socket.send(packet, server.port, server.host);
      timer = setTimeout(send, queryTimeoutMs);
    };
    socket.on('message', (message) => {
      const decoded = dnsPacket.decode(message);
      if (decoded.id === id) finish(() => resolve(decoded));
    });
    socket.on('error', (error) => finish(() => reject(error)));
    send();
  });
}

/** The A record at the end of the answer's CNAME chain, and the shortest TTL along it. */
function readAnswer(name: string, response: dnsPacket.DecodedPacket, askedAt: number): Answer {
  let target = name.toLowerCase();
  let ttlSeconds = Number.POSITIVE_INFINITY;
  for (const record of response.answers ?? []) {
    if (record.type === 'OPT' || record.name.toLowerCase() !== target) continue;
    ttlSeconds = Math.min(ttlSeconds, record.ttl ?? 0);
    if (record.type === 'CNAME') target = String(record.data).toLowerCase();
    if (record.type === 'A') {
      return { target, address: String(record.data), askedAt, expiresAt: askedAt + ttlSeconds * 1000 };
    }
  }
  throw new Error(`the DNS answer for ${name} has no address (flags ${response.flags ?? 0})`);
}

export function clientResolver(server: { host: string; port: number }): ClientResolver {
  const cache = new Map<string, Answer>();
  const asking = new Map<string, Promise<Answer>>();
  return {
    resolve(name) {
      const cached = cache.get(name);
      if (cached !== undefined && cached.expiresAt > Date.now()) return Promise.resolve(cached);
      let pending = asking.get(name);
      if (pending === undefined) {
        const askedAt = Date.now();
        pending = query(server, name)
          .then((response) => {
            const answer = readAnswer(name, response, askedAt);
            cache.set(name, answer);
            return answer;
          })
          .finally(() => asking.delete(name));
        asking.set(name, pending);
      }
      return pending;
    },
  };
}
