import { describe, expect, it } from 'vitest';
import { mutationBudget, RateLimitedError } from '../../../src/api/rate-limit.js';
import { apiHarness, bearer, promote } from './harness.js';

describe('the mutation rate limit', () => {
  it('is one budget per caller across every mutating route, not one per route', async () => {
    const { app } = await apiHarness({ mutationsPerMinute: 10 });
    expect((await promote(app)).statusCode).toBe(201);
    // 100 mutating requests spread over 5 routes, as fast as they go: 9 left in the budget, then 429.
    const routes = [
      { method: 'POST', url: '/v1/promotions/p-1/pause', payload: { reason: 'look' } },
      { method: 'POST', url: '/v1/promotions/p-1/resume' },
      { method: 'POST', url: '/v1/promotions/p-1/approve' },
      { method: 'PUT', url: '/v1/promotions/p-9/traffic', payload: { green: 5 } },
      { method: 'POST', url: '/v1/platforms/shop/plan', payload: { targetVersion: '1.36' } },
    ] as const;
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const route = routes[i % routes.length] as (typeof routes)[number];
        return (await app.inject({ ...route, headers: bearer('operator') })).statusCode;
      }),
    );
    expect(statuses.filter((s) => s !== 429)).toHaveLength(9);
    expect(statuses.filter((s) => s === 429)).toHaveLength(91);

    const limited = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/resume',
      headers: bearer('operator'),
    });
    expect(limited.json()).toEqual({ error: 'rate_limited', message: expect.stringMatching(/rate limit/i) });
    expect(limited.headers['retry-after']).toBeDefined();

    // Reads are not limited, and another caller has a budget of its own.
    expect((await app.inject({ url: '/v1/promotions/p-1', headers: bearer('operator') })).statusCode).toBe(
      200,
    );
    const other = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/pause',
      headers: bearer('admin'),
    });
    expect(other.statusCode).not.toBe(429);
  });

  it('counts requests refused for their body or state too, and answers 429 before any of them acts', async () => {
    const { app, store } = await apiHarness({ mutationsPerMinute: 2 });
    await promote(app);
    const rollback = () =>
      app.inject({
        method: 'POST',
        url: '/v1/promotions/p-1/rollback',
        headers: bearer('operator'),
        payload: { reason: 'limit' },
      });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/promotions/p-1/resume', headers: bearer('operator') }))
        .statusCode,
    ).toBe(409);
    expect((await rollback()).statusCode).toBe(429);
    expect((await store.get('p-1'))?.rollback).toBeUndefined();
  });

  it('opens a fresh window a minute after the first request, and says how long until then', () => {
    let now = 0;
    const budget = mutationBudget({ max: 2, windowMs: 60_000, now: () => now });
    budget.spend('ann');
    now = 10_000;
    budget.spend('ann');
    now = 15_000;
    expect(() => budget.spend('ann')).toThrow(RateLimitedError);
    expect(() => budget.spend('ann')).toThrow(expect.objectContaining({ retryAfterSeconds: 45 }));
    budget.spend('bob');
    now = 60_000;
    budget.spend('ann');
    budget.spend('ann');
    expect(() => budget.spend('ann')).toThrow(/2 mutating requests per 60 s per caller; retry in 60 s/);
  });
});
