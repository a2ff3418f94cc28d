import { describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { runProbe } from '../../../src/providers/kubernetes/services/smoke.js';
import {
  probeFor,
  resolveProbes,
  type ServicesSpec,
  type SmokeProbe,
} from '../../../src/providers/kubernetes/services/spec.js';

const source: ServicesSpec['source'] = { kind: 'external', workloads: [] };
const probe = (fields: Partial<SmokeProbe> = {}) => {
  const [resolved] = resolveProbes({
    source,
    smoke: [{ name: 'home', url: 'http://shop.test/health', ...fields }],
  });
  if (!resolved) throw new Error('no probe');
  return resolved;
};

/** A fetch that answers from a script, one entry per call (an Error is thrown). */
function scripted(...answers: (Response | Error)[]) {
  const calls: string[] = [];
  const fake = vi.fn(async (input: string | URL | Request) => {
    calls.push(String(input));
    const answer = answers.shift();
    if (!answer) throw new Error('unexpected call');
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return { fetch: fake as unknown as typeof fetch, calls };
}

const noSleep = async () => {};

describe('runProbe', () => {
  it('passes on the expected status and pattern', async () => {
    const { fetch } = scripted(new Response('{"status":"ok"}', { status: 200 }));
    const result = await runProbe(probe({ bodyMatch: '"status":"ok"' }), { fetch, sleep: noSleep });
    expect(result.verdict).toBe('pass');
    expect(result.evidence).toContain('HTTP 200, body matches');
    expect(result.evidence).toContain('attempt 1 of 4');
  });

  it('retries after failures, pausing between attempts, and reports them', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: new Error('connect ECONNREFUSED'),
    });
    const { fetch, calls } = scripted(
      refused,
      new Response('warming up', { status: 503 }),
      new Response('ok'),
    );
    const sleep = vi.fn(noSleep);
    const result = await runProbe(probe(), { fetch, sleep });
    expect(result.verdict).toBe('pass');
    expect(result.evidence).toContain('attempt 3 of 4 (earlier: fetch failed: connect ECONNREFUSED, 503)');
    expect(calls).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('fails after 1 + retries attempts with the statuses and the start of the body', async () => {
    const long = `error ${'x'.repeat(500)}`;
    const { fetch, calls } = scripted(
      new Response(long, { status: 500 }),
      new Response(long, { status: 500 }),
    );
    const result = await runProbe(probe({ retries: 1 }), { fetch, sleep: noSleep });
    expect(calls).toHaveLength(2);
    expect(result.verdict).toBe('fail');
    expect(result.evidence).toContain('2 attempt(s) failed (500, 500)');
    expect(result.evidence).toContain('expected HTTP 200, got 500');
    expect(result.evidence).toContain(`"${long.slice(0, 200)}…"`);
    expect(result.evidence).not.toContain(long.slice(0, 201));
  });

  it('fails on a body that does not match', async () => {
    const { fetch } = scripted(new Response('maintenance'));
    const result = await runProbe(probe({ retries: 0, bodyMatch: '^ok$' }), { fetch, sleep: noSleep });
    expect(result).toMatchObject({ verdict: 'fail' });
    expect(result.evidence).toContain('does not match /^ok$/; body: "maintenance"');
  });

  it('reports a timeout by its limit', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { fetch } = scripted(timeout);
    const result = await runProbe(probe({ retries: 0, timeoutMs: 250 }), { fetch, sleep: noSleep });
    expect(result.evidence).toContain('request failed: timed out after 250 ms');
  });
});

describe('resolveProbes', () => {
  it('fills in the defaults', () => {
    expect(probe()).toMatchObject({ expectStatus: 200, retries: 3, timeoutMs: 5000, hostHeader: undefined });
  });

  it.each([
    [{ url: 'not a url' }, 'smoke[0].url'],
    [{ url: 'ftp://shop.test/' }, 'smoke[0].url'],
    [{ bodyMatch: '(' }, 'smoke[0].bodyMatch'],
    [{ expectStatus: 42 }, 'smoke[0].expectStatus'],
    [{ retries: -1 }, 'smoke[0].retries'],
    [{ timeoutMs: 0 }, 'smoke[0].timeoutMs'],
  ])('refuses %j', (fields, field) => {
    expect(() => probe(fields)).toThrow(InvalidInputError);
    expect(() => probe(fields)).toThrow(field);
  });

  it('refuses a copy source without namespaces', () => {
    expect(() => resolveProbes({ source: { kind: 'copy', namespaces: [] } })).toThrow('source.namespaces');
    expect(() => resolveProbes({ source: { kind: 'copy', namespaces: { selector: '' } } })).toThrow(
      'source.namespaces.selector',
    );
  });
});

describe('smoke probes that follow the slots', () => {
  it('fill {slot} and {cluster} in the url and Host header with the cluster being qualified', () => {
    const templated = probe({ url: 'https://shop-{slot}.lb.test/health', hostHeader: '{cluster}.internal' });
    const aimed = probeFor(templated, { name: 'shop-1-35', slot: 'b' });
    expect(aimed.url.href).toBe('https://shop-b.lb.test/health');
    expect(aimed.hostHeader).toBe('shop-1-35.internal');
    expect(probeFor(templated, { name: 'shop-a', slot: 'a' }).url.host).toBe('shop-a.lb.test');
    // A probe without placeholders is used as written.
    const fixed = probe();
    expect(probeFor(fixed, { name: 'shop-a', slot: 'a' })).toBe(fixed);
  });
});
