/**
 * The shop platform's public entry point, for worlds that probe traffic: an ingress stand-in per
 * cluster on loopback (blue 127.0.0.2, green 127.0.0.3, one port) and a DNS server answering
 * shop.example.test from the weighted records in moto, each cluster's load balancer name resolving to
 * its stand-in. Clients that resolve through that server reach blue or green as Route 53 would send them.
 */
import { type IngressStandIns, ingressAddresses, startIngressStandIns } from './ingress-standins.js';
import { startRoute53Dns } from './route53-dns.js';

export interface ProbeWorld {
  readonly ingress: IngressStandIns;
  /** "127.0.0.1:<port>": the DNS server that answers the public name. */
  readonly resolver: string;
  /** http://shop.example.test:<port>/ */
  readonly url: string;
  /** The record's TTL, which every answer carries. */
  readonly ttlSeconds: number;
  /** The platform file's `traffic.probe`. */
  readonly probeConfig: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startProbeWorld(options: {
  readonly aws: {
    readonly region: string;
    readonly endpoint: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  readonly hostedZoneId: string;
  readonly recordName: string;
  readonly ttlSeconds: number;
  /** The clusters' names, as each stand-in reports itself in x-served-by. */
  readonly clusters: { readonly blue: string; readonly green: string };
  /** Each cluster's record value (its load balancer's DNS name). */
  readonly targets: { readonly blue: string; readonly green: string };
}): Promise<ProbeWorld> {
  const ingress = await startIngressStandIns(options.clusters);
  const dns = await startRoute53Dns({
    aws: options.aws,
    hostedZoneId: options.hostedZoneId,
    recordName: options.recordName,
    ttlSeconds: options.ttlSeconds,
    addresses: {
      [options.targets.blue]: ingressAddresses.blue,
      [options.targets.green]: ingressAddresses.green,
    },
  }).catch(async (error: unknown) => {
    await ingress.close();
    throw error;
  });
  const url = `http://${options.recordName}:${ingress.port}/`;
  return {
    ingress,
    resolver: dns.server,
    url,
    ttlSeconds: options.ttlSeconds,
    probeConfig: {
      url,
      resolver: dns.server,
      servedByHeader: 'x-served-by',
      // Twenty a second: a 10 % step sees green a couple of times a second, so a broken green shows at once.
      ratePerSecond: 20,
      errorBudget: 0,
    },
    async close() {
      await dns.close();
      await ingress.close();
    },
  };
}
