import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/domain/ports.js';
import type { RemovedApiScanRequest } from '../../../src/providers/kubernetes/health/index.js';
import {
  cachedScanner,
  removedApiScanMaxAgeMs,
} from '../../../src/providers/kubernetes/health/scan-cache.js';

const pass: CheckResult = { name: 'removed-apis', verdict: 'pass', evidence: 'none in use' };
const unreadable: CheckResult = { name: 'removed-apis', verdict: 'inconclusive', evidence: 'HTTP 503' };

function setup() {
  let clock = Date.parse('2026-11-25T10:00:00Z');
  const identities: Record<string, string> = { 'shop-a': 'https://a-1.eks' };
  const asked: string[] = [];
  const answers: (CheckResult | Error)[] = [];
  const scan = cachedScanner(
    async (request) => {
      asked.push(`${request.blue.name}@${request.targetVersion}`);
      const answer = answers.shift() ?? pass;
      if (answer instanceof Error) throw answer;
      return { checks: [answer] };
    },
    async (blue) => identities[blue.name] ?? blue.name,
    () => new Date(clock),
  );
  const request = (targetVersion = '1.36'): RemovedApiScanRequest => ({
    blue: { name: 'shop-a', slot: 'a' },
    targetVersion,
  });
  return {
    scan,
    request,
    asked,
    answers,
    identities,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('the removed-API scan of blue, kept per promotion', () => {
  it('is made once for the dry run and every qualify pass of the same blue and target', async () => {
    const s = setup();
    for (let run = 0; run < 4; run++) expect(await s.scan(s.request())).toEqual({ checks: [pass] });
    expect(s.asked).toEqual(['shop-a@1.36']);
    // Another target version is another question.
    await s.scan(s.request('1.37'));
    expect(s.asked).toEqual(['shop-a@1.36', 'shop-a@1.37']);
  });

  it('scans again once the answer is older than the maximum age (a promotion resumed later)', async () => {
    const s = setup();
    await s.scan(s.request());
    s.advance(removedApiScanMaxAgeMs - 1);
    await s.scan(s.request());
    expect(s.asked).toHaveLength(1);
    s.advance(1);
    await s.scan(s.request());
    expect(s.asked).toHaveLength(2);
  });

  it('scans again a blue cluster created anew under the same name (another endpoint)', async () => {
    const s = setup();
    await s.scan(s.request());
    s.identities['shop-a'] = 'https://a-2.eks';
    await s.scan(s.request());
    expect(s.asked).toHaveLength(2);
  });

  it('keeps no answer that failed or could not read everything', async () => {
    const s = setup();
    s.answers.push(new Error('connection refused'), unreadable);
    await expect(s.scan(s.request())).rejects.toThrow('connection refused');
    expect(await s.scan(s.request())).toEqual({ checks: [unreadable] });
    expect(await s.scan(s.request())).toEqual({ checks: [pass] });
    expect(await s.scan(s.request())).toEqual({ checks: [pass] });
    expect(s.asked).toHaveLength(3);
  });
});
