/**
 * The API keeps its own contract: what it answers is what /openapi.json documents (status, content
 * type, body schema), checked here on the answers that broke it before; the live controller is
 * fuzzed by schemathesis in test/e2e/api-contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { idMaxLength, platformNameMaxLength } from '../../../src/api/http-schemas.js';
import { contractChecker } from './document.js';
import { apiHarness, bearer, promote } from './harness.js';

describe('the API keeps its documented contract', () => {
  it("documents every stage's saved state: promotions past foundation and qualify validate in list, get and rollback", async () => {
    const { app, drive } = await apiHarness();
    const check = await contractChecker(app);
    await promote(app);
    await drive('p-1', { until: (p) => p.traffic.green === 10 });

    const detail = await app.inject({ url: '/v1/promotions/p-1', headers: bearer('viewer') });
    const saved = detail.json().stages;
    expect(saved.foundation.saved).toHaveProperty('addons');
    expect(saved['qualify-foundation'].saved).toHaveProperty('checks');
    expect(saved['shift-traffic'].saved).toMatchObject({ step: expect.any(Number) });
    expect(check('GET', '/v1/promotions/{id}', detail)).toEqual([]);
    const list = await app.inject({ url: '/v1/promotions', headers: bearer('viewer') });
    expect(check('GET', '/v1/promotions', list)).toEqual([]);
    const rollback = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/rollback',
      headers: bearer('operator'),
      payload: { reason: 'contract' },
    });
    expect(rollback.statusCode).toBe(200);
    expect(check('POST', '/v1/promotions/{id}/rollback', rollback)).toEqual([]);
  });

  it('documents the event stream as text/event-stream and its errors as JSON', async () => {
    const { app } = await apiHarness();
    const check = await contractChecker(app);
    const document = (await app.inject({ url: '/openapi.json' })).json();
    const responses = document.paths['/v1/promotions/{id}/events'].get.responses;
    expect(Object.keys(responses['200'].content)).toEqual(['text/event-stream']);
    expect(responses['200'].content['text/event-stream'].schema).toEqual({
      $ref: '#/components/schemas/ServerSentEvent',
    });
    expect(document.components.schemas.ServerSentEvent.properties.data).toMatchObject({
      contentMediaType: 'application/json',
      contentSchema: { $ref: '#/components/schemas/PromotionEvent' },
    });

    const unauthorized = await app.inject({ url: '/v1/promotions/p-1/events' });
    expect(unauthorized.statusCode).toBe(401);
    const missing = await app.inject({ url: '/v1/promotions/p-9/events', headers: bearer('viewer') });
    expect(missing.statusCode).toBe(404);
    for (const answer of [unauthorized, missing]) {
      expect(check('GET', '/v1/promotions/{id}/events', answer)).toEqual([]);
    }
  });

  it('answers an id or name over its limit with a documented 400 naming the field, however long', async () => {
    const { app } = await apiHarness();
    const check = await contractChecker(app);
    for (const length of [idMaxLength + 1, 1000, 8000]) {
      const long = await app.inject({
        url: `/v1/promotions/${'p'.repeat(length)}`,
        headers: bearer('viewer'),
      });
      expect(long.statusCode).toBe(400);
      expect(long.json().issues).toEqual([{ path: 'params.id', message: expect.stringMatching(/100/) }]);
      expect(check('GET', '/v1/promotions/{id}', long)).toEqual([]);
    }
    const atLimit = await app.inject({
      url: `/v1/promotions/${'p'.repeat(idMaxLength)}`,
      headers: bearer('viewer'),
    });
    expect(atLimit.statusCode).toBe(404);

    // A refused mutation with such an id is audited with the start of its URL, and no promotion id.
    const { app: audited, store } = await apiHarness();
    const pause = await audited.inject({
      method: 'POST',
      url: `/v1/promotions/${'p'.repeat(8000)}/pause`,
      headers: bearer('operator'),
    });
    expect(pause.statusCode).toBe(400);
    const [entry] = await store.audit();
    expect(entry?.action).toMatch(/^POST \/v1\/promotions\/p{285}… \(8021 characters\)$/);
    expect(entry?.promotionId).toBeUndefined();

    const name = 's'.repeat(platformNameMaxLength + 1);
    const plan = await app.inject({
      method: 'POST',
      url: `/v1/platforms/${name}/plan`,
      headers: bearer('viewer'),
      payload: { targetVersion: '1.35' },
    });
    expect(plan.statusCode).toBe(400);
    expect(plan.json().issues.map((i: { path: string }) => i.path)).toEqual(['params.name']);
    expect(check('POST', '/v1/platforms/{name}/plan', plan)).toEqual([]);
  });

  it('answers paths no route has, and malformed URLs, with the Error body', async () => {
    const { app } = await apiHarness();
    const unknown = await app.inject({ url: '/v1/nothing-here', headers: bearer('viewer') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'not_found', message: 'no route GET /v1/nothing-here' });
    const malformed = await app.inject({ url: '/v1/promotions/%E0%A4%A', headers: bearer('viewer') });
    expect(malformed.statusCode).toBe(400);
    expect(Object.keys(malformed.json()).sort()).toEqual(['error', 'message']);
  });

  it('documents 401 and 403 on every operation, 429 on every mutating one, and only the 5xx that AWS can cause', async () => {
    const { app } = await apiHarness();
    const document = (await app.inject({ url: '/openapi.json' })).json();
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(
      document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        statuses: Object.keys(operation.responses),
      })),
    );
    for (const { name, statuses } of operations) {
      expect(statuses, name).toContain('401');
      expect(statuses.includes('429'), name).toBe(!name.startsWith('GET '));
    }
    const withServerErrors = operations.filter((o) => o.statuses.some((s) => s.startsWith('5')));
    expect(withServerErrors.map((o) => o.name).sort()).toEqual([
      'POST /v1/fleet-plans',
      'POST /v1/fleet-runs',
      'POST /v1/platforms/{name}/plan',
      'POST /v1/promotions',
      'POST /v1/promotions/{id}/teardown',
    ]);
  });

  it('documents the bodies that may be left out (pause, approve) as optional, and answers without them', async () => {
    const { app } = await apiHarness();
    const check = await contractChecker(app);
    const document = (await app.inject({ url: '/openapi.json' })).json();
    const required = Object.entries(
      document.paths as Record<string, Record<string, { requestBody?: { required: boolean } }>>,
    )
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, o]) => [
          `${method.toUpperCase()} ${path}`,
          o.requestBody?.required,
        ]),
      )
      .filter(([, r]) => r === false)
      .map(([name]) => name);
    expect(required).toEqual([
      'POST /v1/promotions/{id}/pause',
      'POST /v1/promotions/{id}/approve',
      'POST /v1/fleet-runs/{id}/pause',
    ]);
    await promote(app);
    const paused = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/pause',
      headers: bearer('operator'),
    });
    expect(paused.statusCode).toBe(200);
    expect(check('POST', '/v1/promotions/{id}/pause', paused)).toEqual([]);
  });
});
