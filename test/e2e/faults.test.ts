/**
 * moto behind a proxy that answers a share of calls with Throttling, 503 or a delay: the SDK's
 * retries and the engine's backoff carry the promotion through to the end.
 */
import { expect, it } from 'vitest';
import { describeWithServers } from '../integration/environment.js';
import { shopState } from './moto-state.js';
import { useE2E } from './support.js';

describeWithServers('a promotion through throttling, 5xx and latency', () => {
  const e2e = useE2E({
    faults: { throttleShare: 0.15, serverErrorShare: 0.1, latencyShare: 0.2, latencyMs: 300 },
  });

  it('completes, with faults actually injected along the way', async () => {
    const created = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await e2e.waitFor(id, (p) => p.phase === 'waiting-approval', 180_000);
    await e2e.api('POST', `/v1/promotions/${id}/approve`, { gate: 'decommission' }, e2e.world.tokens.admin);
    const done = await e2e.waitFor(id, (p) => p.phase === 'succeeded', 120_000);
    expect(done.traffic.history.map((h: { green: number }) => h.green)).toEqual([1, 10, 50, 100]);
    const state = await shopState(e2e.world.aws.hostedZoneId);
    expect(state.weights).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect(state.clusters).toEqual(['payments-blue', 'shop-green']);
    expect(e2e.proxy?.counts.throttled).toBeGreaterThan(0);
    expect(e2e.proxy?.counts.serverErrors).toBeGreaterThan(0);
    expect(e2e.proxy?.counts.delayed).toBeGreaterThan(0);
  });
});
