import { readFileSync, writeFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { apiHarness } from './harness.js';

const snapshotFile = new URL('../../../docs/openapi.json', import.meta.url);

describe('OpenAPI document', () => {
  it('is a valid OpenAPI document that lists exactly the routes the server has', async () => {
    const { app } = await apiHarness();
    const document = (await app.inject({ url: '/openapi.json' })).json();
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual([
      'GET /v1/fleet-runs',
      'GET /v1/fleet-runs/{id}',
      'GET /v1/fleet-runs/{id}/events',
      'GET /v1/fleet-strategies',
      'GET /v1/me',
      'GET /v1/platforms',
      'GET /v1/platforms/{name}',
      'GET /v1/promotions',
      'GET /v1/promotions/{id}',
      'GET /v1/promotions/{id}/events',
      'POST /v1/fleet-plans',
      'POST /v1/fleet-runs',
      'POST /v1/fleet-runs/{id}/abort',
      'POST /v1/fleet-runs/{id}/approve',
      'POST /v1/fleet-runs/{id}/pause',
      'POST /v1/fleet-runs/{id}/resume',
      'POST /v1/fleet-runs/{id}/stop',
      'POST /v1/platforms/{name}/plan',
      'POST /v1/platforms/{name}/rollback',
      'POST /v1/promotions',
      'POST /v1/promotions/{id}/abandon',
      'POST /v1/promotions/{id}/approve',
      'POST /v1/promotions/{id}/pause',
      'POST /v1/promotions/{id}/resume',
      'POST /v1/promotions/{id}/rollback',
      'POST /v1/promotions/{id}/teardown',
      'PUT /v1/promotions/{id}/traffic',
    ]);
    // Every documented operation is a route the server really has.
    for (const operation of documented) {
      const [method, path] = operation.split(' ') as ['GET' | 'POST' | 'PUT', string];
      expect(app.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') }), operation).toBe(true);
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Promotion',
        'Error',
        'RollbackRequest',
        'FleetRun',
        'FleetStrategy',
        'FleetPlan',
      ]),
    );
  });

  it('matches the committed snapshot docs/openapi.json (regenerate with UPDATE_OPENAPI=1)', async () => {
    const { app } = await apiHarness();
    const current = `${JSON.stringify((await app.inject({ url: '/openapi.json' })).json(), null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(snapshotFile, current);
    expect(current).toBe(readFileSync(snapshotFile, 'utf8'));
  });
});
