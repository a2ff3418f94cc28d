/**
 * How the probe finds the address to connect to. With a DNS server named, it asks that server and keeps
 * each answer for its TTL, as a caching resolver does (a weighted record then moves clients only as
 * their cached answers expire), through several such caches side by side; without one, the system's
 * resolution.
 */
import { promises as dns, type RecordWithTtl } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface AddressLookup {
  lookup(host: string): Promise<ResolvedAddress>;
}

interface CachedAnswer {
  readonly addresses: readonly ResolvedAddress[];
  readonly expiresAt: number;
}

/** `server`: "host:port" or "host" (port 53), as dns.Resolver#setServers takes it. */
export function cachingLookup(server: string, now: () => number = Date.now): AddressLookup {
  const resolver = new dns.Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([server]);
  const cache = new Map<string, CachedAnswer>();
  const pending = new Map<string, Promise<CachedAnswer>>();

  async function ask(host: string): Promise<CachedAnswer> {
    const asked = now();
    let records: RecordWithTtl[];
    let family: 4 | 6 = 4;
    try {
      records = await resolver.resolve4(host, { ttl: true });
    } catch (error) {
      if ((error as { code?: string }).code !== dns.NODATA) throw error;
      records = await resolver.resolve6(host, { ttl: true });
      family = 6;
    }
    // An answer through a CNAME carries the shortest TTL of the chain; a cache keeps it no longer.
    const ttlSeconds = Math.min(...records.map((record) => record.ttl));
    return {
      addresses: records.map((record) => ({ address: record.address, family })),
      expiresAt: asked + ttlSeconds * 1000,
    };
  }

  return {
    async lookup(host) {
      const literal = isIP(host);
      if (literal !== 0) return { address: host, family: literal === 6 ? 6 : 4 };
      let answer = cache.get(host);
      if (answer === undefined || answer.expiresAt <= now()) {
        let asking = pending.get(host);
        if (asking === undefined) {
          asking = ask(host).finally(() => pending.delete(host));
          pending.set(host, asking);
        }
        answer = await asking;
        cache.set(host, answer);
      }
      return pick(answer.addresses);
    },
  };
}

/**
 * `count` independent caching resolvers of one server, each connection asking the next in turn. One
 * cache holds one weighted answer per TTL, so at a 1 % step it almost never holds green's; a platform's
 * clients sit behind many resolvers, each with its own draw, and together they see the weights.
 */
export function cachingLookups(server: string, count: number, now: () => number = Date.now): AddressLookup {
  const caches = Array.from({ length: Math.max(1, count) }, () => cachingLookup(server, now));
  let next = 0;
  return {
    lookup(host) {
      const cache = caches[next % caches.length] as AddressLookup;
      next = (next + 1) % caches.length;
      return cache.lookup(host);
    },
  };
}

/** The operating system's resolution (getaddrinfo), as any client on the controller's host gets. */
export function systemLookup(): AddressLookup {
  return {
    async lookup(host) {
      const found = await dns.lookup(host);
      return { address: found.address, family: found.family === 6 ? 6 : 4 };
    },
  };
}

/** Several addresses in one answer: a client picks one of them. */
function pick(addresses: readonly ResolvedAddress[]): ResolvedAddress {
  const chosen = addresses[Math.floor(Math.random() * addresses.length)];
  if (chosen === undefined) throw new Error('the DNS answer had no address');
  return chosen;
}

/**
 * The `lookup` option of a connection: resolves through `addresses` and tells `chosen` which address
 * the connection goes to (so a failure can be put down to the side that address served from).
 */
export function connectionLookup(
  addresses: AddressLookup,
  chosen: (address: string) => void,
): LookupFunction {
  return (hostname, options, callback) => {
    addresses.lookup(hostname).then(
      ({ address, family }) => {
        chosen(address);
        // Node asks for every address when it may try several families in turn (autoSelectFamily).
        if (options.all) callback(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
