import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/api/auth.js';
import { apiHarness, bearer } from './harness.js';

/** Every route, with the least role it needs. Statuses other than 401/403 depend on state, not auth. */
const routes: { method: 'GET' | 'POST' | 'PUT'; url: string; role: Role; payload?: object }[] = [
  { method: 'GET', url: '/v1/promotions', role: 'viewer' },
  { method: 'GET', url: '/v1/promotions/p-1', role: 'viewer' },
  { method: 'GET', url: '/v1/platforms', role: 'viewer' },
  { method: 'GET', url: '/v1/me', role: 'viewer' },
  { method: 'GET', url: '/v1/platforms/shop', role: 'viewer' },
  { method: 'POST', url: '/v1/platforms/shop/plan', role: 'viewer', payload: { targetVersion: '1.35' } },
  {
    method: 'POST',
    url: '/v1/promotions',
    role: 'operator',
    payload: { platform: 'shop', targetVersion: '1.35' },
  },
  { method: 'PUT', url: '/v1/promotions/p-1/traffic', role: 'operator', payload: { green: 10 } },
  { method: 'POST', url: '/v1/promotions/p-1/pause', role: 'operator', payload: { reason: 'x' } },
  { method: 'POST', url: '/v1/promotions/p-1/resume', role: 'operator' },
  {
    method: 'POST',
    url: '/v1/promotions/p-1/approve',
    role: 'operator',
    payload: { gate: 'shift-traffic/1-to-1' },
  },
  { method: 'POST', url: '/v1/promotions/p-1/rollback', role: 'operator', payload: { reason: 'x' } },
  { method: 'POST', url: '/v1/platforms/shop/rollback', role: 'operator', payload: { reason: 'x' } },
  { method: 'POST', url: '/v1/promotions/p-1/abandon', role: 'admin', payload: { reason: 'x' } },
  { method: 'POST', url: '/v1/promotions/p-1/teardown', role: 'admin' },
];
const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const callers = [
  { name: 'no token', headers: {} },
  { name: 'unknown token', headers: { authorization: 'Bearer not-a-token' } },
  { name: 'malformed header', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
  ...(['viewer', 'operator', 'admin'] as const).map((role) => ({ name: role, role, headers: bearer(role) })),
];

describe('authorization matrix: every route × every caller', () => {
  for (const route of routes) {
    for (const caller of callers) {
      const role = 'role' in caller ? caller.role : undefined;
      const expected = role === undefined ? 401 : rank[role] >= rank[route.role] ? 'allowed' : 403;
      it(`${route.method} ${route.url} as ${caller.name} → ${expected}`, async () => {
        const { app } = await apiHarness();
        const response = await app.inject({
          method: route.method,
          url: route.url,
          headers: caller.headers,
          ...(route.payload ? { payload: route.payload } : {}),
        });
        if (expected === 'allowed') expect([401, 403]).not.toContain(response.statusCode);
        else expect(response.statusCode).toBe(expected);
      });
    }
  }

  it('health, readiness and docs need no token; reads are public only when configured so, writes never', async () => {
    const { app } = await apiHarness();
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      expect([200, 302]).toContain((await app.inject({ url })).statusCode);
    }
    const open = await apiHarness({ publicReads: true });
    expect((await open.app.inject({ url: '/v1/promotions' })).statusCode).toBe(200);
    expect(
      (
        await open.app.inject({
          method: 'POST',
          url: '/v1/promotions',
          payload: { platform: 'shop', targetVersion: '1.35' },
        })
      ).statusCode,
    ).toBe(401);
  });
});
