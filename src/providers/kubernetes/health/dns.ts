import { Resolver } from 'node:dns/promises';
import type { CheckResult, Verdict } from '../../../domain/ports.js';
import type { ComponentSpec, DnsProbeSpec } from './spec.js';

/** Answers that say the name is wrong or the server is broken: DNS works badly, so the check fails. */
const failingCodes: Readonly<Record<string, string>> = {
  ENOTFOUND: 'name does not exist',
  ENODATA: 'name has no address records',
  ESERVFAIL: 'server failed to answer (SERVFAIL)',
  EREFUSED: 'server refused the query',
  EBADRESP: 'server sent a malformed answer',
};

export function dnsCheckName(component: ComponentSpec): string {
  return `dns-lookup/${component.name}`;
}

/**
 * Resolves the probe's host (A, then AAAA) through its server. An answer → pass; an answer saying the
 * name does not resolve → fail; no answer at all (timeout, refused connection) → inconclusive, since
 * the path from Switchyard to the server may be what is broken.
 */
export async function probeDns(component: ComponentSpec, probe: DnsProbeSpec): Promise<CheckResult> {
  const name = dnsCheckName(component);
  const via = probe.server ? `via ${probe.server}` : 'via the system resolvers';
  const resolver = new Resolver({ timeout: probe.timeoutMs ?? 2000, tries: 2 });
  try {
    if (probe.server) resolver.setServers([probe.server]);
  } catch (error) {
    return {
      name,
      verdict: 'fail',
      evidence: `bad DNS server "${probe.server}": ${(error as Error).message}`,
    };
  }
  try {
    const addresses = await lookup(resolver, probe.host);
    return { name, verdict: 'pass', evidence: `${probe.host} resolved ${via} to ${addresses.join(', ')}` };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    const failing = failingCodes[code];
    const verdict: Verdict = failing ? 'fail' : 'inconclusive';
    const reason = failing ?? `no answer (${code})`;
    return { name, verdict, evidence: `${probe.host} did not resolve ${via}: ${reason}` };
  } finally {
    resolver.cancel();
  }
}

async function lookup(resolver: Resolver, host: string): Promise<string[]> {
  try {
    return await resolver.resolve4(host);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENODATA') throw error;
    return resolver.resolve6(host);
  }
}
