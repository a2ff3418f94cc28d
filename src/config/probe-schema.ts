import { isIP } from 'node:net';
import { z } from 'zod';
import type { ProbeSpec } from '../domain/plan.js';
import { positiveDurationMs } from './duration.js';

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name');

/** "127.0.0.1", "127.0.0.1:5353", "[::1]:5353": a DNS server by address, as dns.Resolver takes it. */
const dnsServer = z.string().refine((server) => {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(server);
  if (match === null) return false;
  const port = match[3] === undefined ? 53 : Number(match[3]);
  return isIP(match[1] ?? match[2] ?? '') !== 0 && port >= 1 && port <= 65_535;
}, 'must be a DNS server address like 10.0.0.2 or 127.0.0.1:5353 ([::1]:5353 for IPv6)');

/**
 * `traffic.probe`: requests to the platform's public URL during every traffic step, from before the
 * weight write to the end of the bake; more failed requests than `errorBudget` fail the step.
 */
export const probeSchema = z.strictObject({
  /** The public entry point: the record name (or the load balancer's DNS name) and a path that answers 2xx. */
  url: z.url({
    protocol: /^https?$/,
    error: (issue) => (issue.input === undefined ? 'required' : 'must be an http(s) URL'),
  }),
  ratePerSecond: z.number().min(0.1).max(1000).default(10),
  /** The response header whose value is the serving cluster's name. */
  servedByHeader: headerName.default('x-served-by'),
  /** Failed requests (non-2xx or no response) allowed per step. */
  errorBudget: z.int().min(0).default(0),
  timeout: positiveDurationMs.prefault('2s'),
  /** Share of requests on kept-alive connections (0 to 1); the rest open a new connection each. */
  keepAliveShare: z.number().min(0).max(1).default(0.5),
  /** A DNS server to resolve the URL's host through (answers cached for their TTL); default: the system's. */
  resolver: dnsServer.optional(),
  /**
   * With `resolver`: how many independent caching resolvers the new connections are spread over, as
   * clients behind different resolvers are, so each TTL brings that many weighted answers, not one.
   */
  resolvers: z.int().min(1).max(64).default(8),
});

export type ProbeConfig = z.output<typeof probeSchema>;

export function toProbeSpec(probe: ProbeConfig): ProbeSpec {
  return {
    url: probe.url,
    ratePerSecond: probe.ratePerSecond,
    servedByHeader: probe.servedByHeader,
    errorBudget: probe.errorBudget,
    timeoutMs: probe.timeout,
    keepAliveShare: probe.keepAliveShare,
    ...(probe.resolver !== undefined && { resolver: probe.resolver }),
    resolvers: probe.resolvers,
  };
}
