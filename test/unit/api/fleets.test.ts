import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { fakeFleetSurface, standardStrategy, withMembers, withStage } from '../../fakes/fleet-surface.js';
import { contractChecker } from './document.js';
import { apiHarness, bearer } from './harness.js';

async function fleetApi() {
  const fleets = fakeFleetSurface();
  const harness = await apiHarness({ fleets });
  const check = await contractChecker(harness.app);
  /** Sends a request and checks its answer keeps the documented contract. */
  const send = async (
    method: 'GET' | 'POST',
    url: string,
    options: { role?: 'viewer' | 'operator' | 'admin'; payload?: object } = {},
  ) => {
    const response = await harness.app.inject({
      method,
      url,
      headers: bearer(options.role ?? 'operator'),
      ...(options.payload ? { payload: options.payload } : {}),
    });
    const documented = url.split('?')[0]?.replace(/\/fleet-runs\/[^/]+/, '/fleet-runs/{id}') ?? url;
    expect(check(method, documented, response), `${method} ${url}`).toEqual([]);
    return response;
  };
  return { ...harness, fleets, send };
}

describe('fleet API', () => {
  it('lists strategies and plans a run without starting one', async () => {
    const { send, fleets } = await fleetApi();
    const strategies = await send('GET', '/v1/fleet-strategies', { role: 'viewer' });
    expect(strategies.statusCode).toBe(200);
    expect(strategies.json()).toEqual({ items: [standardStrategy] });

    const plan = await send('POST', '/v1/fleet-plans', {
      role: 'viewer',
      payload: { strategy: 'standard', targetVersion: 'v1.35' },
    });
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({
      targetVersion: '1.35',
      stages: [
        { name: 'dev', concurrency: 2, members: [{ platform: 'dev-1' }, { platform: 'dev-2' }] },
        {
          name: 'prod',
          concurrency: 1,
          members: [
            { platform: 'prod-a' },
            { platform: 'prod-b', blockers: [expect.stringMatching(/already active/)] },
          ],
        },
      ],
      unselected: ['lab'],
    });
    expect(fleets.calls).toEqual([]);
  });

  it('starts a run (201) by strategy name or inline, then reads and lists it', async () => {
    const { send } = await fleetApi();
    const created = await send('POST', '/v1/fleet-runs', {
      payload: { strategy: 'standard', targetVersion: '1.35' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'fr-1',
      state: 'running',
      createdBy: 'operator-user',
      targetVersion: '1.35',
    });

    // Inline, a strategy is written as in a strategy file: durations as text, defaults filled in.
    const inline = {
      name: 'just-dev',
      stages: [{ name: 'dev', selector: { env: 'dev' }, maxConcurrency: '100%', memberSoak: '1m' }],
    };
    const second = await send('POST', '/v1/fleet-runs', {
      payload: { strategy: inline, targetVersion: '1.35' },
    });
    expect(second.statusCode).toBe(201);
    // The parsed strategy is kept as the run's snapshot.
    expect(second.json()).toMatchObject({
      id: 'fr-2',
      strategy: {
        name: 'just-dev',
        stages: [{ name: 'dev', memberSoakMs: 60_000, maxFailures: 0, after: [], onFailure: 'halt' }],
        windows: [],
        memberStartDeadlineMs: 30 * 60_000,
      },
      stages: [{ name: 'dev' }],
    });

    const one = await send('GET', '/v1/fleet-runs/fr-1', { role: 'viewer' });
    expect(one.json()).toEqual(created.json());
    const list = await send('GET', '/v1/fleet-runs?limit=1&offset=1', { role: 'viewer' });
    expect(list.json()).toMatchObject({ items: [{ id: 'fr-1' }], limit: 1, offset: 1 });
    const byState = await send('GET', '/v1/fleet-runs?state=paused', { role: 'viewer' });
    expect(byState.json()).toEqual({ items: [], limit: 50, offset: 0 });
  });

  it('answers 400 naming the field for a bad body or query, and 404 for an unknown run', async () => {
    const { send } = await fleetApi();
    const badVersion = await send('POST', '/v1/fleet-runs', {
      payload: { strategy: 'standard', targetVersion: '2' },
    });
    expect(badVersion.statusCode).toBe(400);
    expect(badVersion.json().issues).toEqual([expect.objectContaining({ path: 'body.targetVersion' })]);

    // An inline strategy is checked as a strategy file is; the problems name their fields in the body.
    const badStrategy = {
      name: 'bad',
      stages: [{ name: 'dev', selector: { env: 'dev' }, maxConcurrency: '150%', memberSoak: 'soon' }],
      windows: [{ deny: { start: '10:00', end: '09:00' } }],
    };
    const refused = await send('POST', '/v1/fleet-plans', {
      role: 'viewer',
      payload: { strategy: badStrategy, targetVersion: '1.35' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().issues[0].path).toMatch(/^body\.strategy\.stages/);
    for (const field of ['maxConcurrency', 'memberSoak', 'windows'])
      expect(refused.json().message).toContain(field);
    const notAnObject = await send('POST', '/v1/fleet-runs', {
      payload: { strategy: 7, targetVersion: '1.35' },
    });
    expect(notAnObject.json().issues[0].path).toBe('body.strategy');

    const unknownStrategy = await send('POST', '/v1/fleet-runs', {
      payload: { strategy: 'nope', targetVersion: '1.35' },
    });
    expect(unknownStrategy.statusCode).toBe(400);
    expect(unknownStrategy.json()).toMatchObject({ issues: [{ path: 'strategy' }] });

    expect((await send('GET', '/v1/fleet-runs?state=sleeping', { role: 'viewer' })).statusCode).toBe(400);
    const missing = await send('GET', '/v1/fleet-runs/fr-9', { role: 'viewer' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'fleet run "fr-9" not found' });
    expect((await send('POST', '/v1/fleet-runs/fr-9/resume')).statusCode).toBe(404);
    expect((await send('POST', '/v1/fleet-runs/fr-9/stop', { payload: {} })).statusCode).toBe(400);
  });

  it('pauses, resumes, approves, stops and aborts, with 409 for what the run state refuses', async () => {
    const { send, fleets } = await fleetApi();
    await send('POST', '/v1/fleet-runs', { payload: { strategy: 'standard', targetVersion: '1.35' } });
    expect((await send('POST', '/v1/fleet-runs/fr-1/pause')).json()).toMatchObject({
      state: 'paused',
      reason: 'paused by request',
    });
    const twice = await send('POST', '/v1/fleet-runs/fr-1/pause', { payload: { reason: 'freeze' } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: 'refused', message: expect.stringMatching(/paused/) });
    expect((await send('POST', '/v1/fleet-runs/fr-1/resume')).json()).toMatchObject({ state: 'running' });

    // prod waits for dev first: approving it now would come before its evidence.
    const early = await send('POST', '/v1/fleet-runs/fr-1/approve', { payload: { stage: 'prod' } });
    expect(early.json()).toMatchObject({
      error: 'refused',
      message: expect.stringMatching(/prod is pending/),
    });
    expect((await send('POST', '/v1/fleet-runs/fr-1/approve', { payload: { stage: 'qa' } })).statusCode).toBe(
      404,
    );
    fleets.set(withStage(await fleets.get('fr-1'), 'prod', 'gated'));
    const approved = await send('POST', '/v1/fleet-runs/fr-1/approve', { payload: { stage: 'prod' } });
    expect(approved.json().stages[1].gates[0]).toMatchObject({
      by: 'operator-user',
      metAt: expect.any(String),
    });
    expect(
      (await send('POST', '/v1/fleet-runs/fr-1/approve', { payload: { stage: 'prod' } })).statusCode,
    ).toBe(409);
    expect((await send('POST', '/v1/fleet-runs/fr-1/approve', { payload: {} })).json().issues).toEqual([
      expect.objectContaining({ path: 'body.stage' }),
    ]);

    fleets.set(withMembers(await fleets.get('fr-1'), { 'dev-1': 'soaking', 'dev-2': 'succeeded' }));
    const aborted = await send('POST', '/v1/fleet-runs/fr-1/abort', {
      payload: { reason: 'errors in dev-1' },
    });
    expect(aborted.json()).toMatchObject({
      state: 'stopping',
      stoppingAs: 'aborted',
      reason: 'errors in dev-1',
    });
    expect(
      aborted
        .json()
        .members.map((m: { state: string; rollbackRequested?: boolean }) => [
          m.state,
          m.rollbackRequested ?? false,
        ]),
    ).toEqual([
      ['soaking', true],
      ['succeeded', false],
      ['skipped', false],
      ['skipped', false],
    ]);
    expect(
      (await send('POST', '/v1/fleet-runs/fr-1/stop', { payload: { reason: 'again' } })).statusCode,
    ).toBe(409);
    expect(fleets.calls).toEqual([
      'start fr-1 by operator-user',
      'pause fr-1 by operator-user: paused by request',
      'resume fr-1 by operator-user',
      'approve fr-1 prod by operator-user',
      'abort fr-1 by operator-user: errors in dev-1',
    ]);
  });

  it('lets viewers read and plan but not act, and audits every fleet command', async () => {
    const { app, send, store } = await fleetApi();
    expect((await app.inject({ url: '/v1/fleet-runs' })).statusCode).toBe(401);
    const started = await send('POST', '/v1/fleet-runs', {
      role: 'viewer',
      payload: { strategy: 'standard', targetVersion: '1.35' },
    });
    expect(started.statusCode).toBe(403);
    await send('POST', '/v1/fleet-runs', { payload: { strategy: 'standard', targetVersion: '1.35' } });
    expect(
      (await send('POST', '/v1/fleet-runs/fr-1/stop', { role: 'viewer', payload: { reason: 'x' } }))
        .statusCode,
    ).toBe(403);
    await send('POST', '/v1/fleet-runs/fr-1/stop', { payload: { reason: 'enough' } });

    const audit = (await store.audit(10)).map(({ actor, action, status, outcome, promotionId }) => ({
      actor,
      action,
      status,
      outcome,
      promotionId,
    }));
    expect(audit).toEqual([
      {
        actor: 'operator-user',
        action: 'POST /v1/fleet-runs/fr-1/stop',
        status: 200,
        outcome: 'ok',
        promotionId: undefined,
      },
      {
        actor: 'viewer-user',
        action: 'POST /v1/fleet-runs/fr-1/stop',
        status: 403,
        outcome: 'refused',
        promotionId: undefined,
      },
      {
        actor: 'operator-user',
        action: 'POST /v1/fleet-runs',
        status: 201,
        outcome: 'ok',
        promotionId: undefined,
      },
      {
        actor: 'viewer-user',
        action: 'POST /v1/fleet-runs',
        status: 403,
        outcome: 'refused',
        promotionId: undefined,
      },
    ]);
  });

  it('has no fleet routes when the API is built without a fleet layer', async () => {
    const { app } = await apiHarness({ fleets: false });
    expect((await app.inject({ url: '/v1/fleet-runs', headers: bearer('viewer') })).statusCode).toBe(404);
  });
});

/** Reads a server-sent event stream over a real socket: what came so far, and the whole once the server ends it. */
function readStream(url: string, headers: Record<string, string>) {
  const live = { text: '' };
  const done = new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        live.text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text: live.text }),
      );
    });
    req.on('error', reject);
    req.end();
  });
  return { live, done };
}

describe('fleet run events', () => {
  it('streams the stored events after Last-Event-ID, then each new one, and ends once the run finished', async () => {
    const fleets = fakeFleetSurface();
    const { app, store } = await apiHarness({ fleets });
    const run = await fleets.start({ strategy: 'standard', targetVersion: '1.35' }, 'casey');
    const stored = await store.fleets.createRun(run, [
      { type: 'fleet.created', message: 'run created', actor: 'casey' },
      { type: 'fleet.stage.started', message: 'dev started', actor: 'switchyard' },
    ]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/fleet-runs/${run.id}/events`;
      const streaming = readStream(url, { ...bearer('viewer'), 'last-event-id': '1' });
      // Written once the stream has sent what was stored: the write finishes the run, which ends the stream.
      await vi.waitFor(() => expect(streaming.live.text).toContain('id: 2\n'), { timeout: 5000 });
      await store.fleets.updateRun({ ...stored, state: 'succeeded', finishedAt: '2026-11-27T10:00:00Z' }, [
        { type: 'fleet.finished', message: 'every member succeeded', actor: 'switchyard' },
      ]);
      const { status, type, text } = await streaming.done;
      expect(status).toBe(200);
      expect(type).toMatch(/^text\/event-stream/);
      const frames = text.split('\n\n').filter((frame) => frame.startsWith('id: '));
      expect(frames.map((frame) => frame.split('\n').slice(0, 2).join(' '))).toEqual([
        'id: 2 event: fleet.stage.started',
        'id: 3 event: fleet.finished',
      ]);
      expect(JSON.parse(frames[1]?.split('\ndata: ')[1] ?? '')).toMatchObject({
        runId: run.id,
        seq: 3,
        actor: 'switchyard',
      });
    } finally {
      await app.close();
    }
  });

  it('answers 404 as JSON for a run the store does not have, and documents the stream', async () => {
    const { app } = await apiHarness();
    const check = await contractChecker(app);
    const missing = await app.inject({ url: '/v1/fleet-runs/fr-9/events', headers: bearer('viewer') });
    expect(missing.statusCode).toBe(404);
    expect(check('GET', '/v1/fleet-runs/{id}/events', missing)).toEqual([]);
    const document = (await app.inject({ url: '/openapi.json' })).json();
    expect(document.components.schemas.FleetServerSentEvent.properties.data.contentSchema).toEqual({
      $ref: '#/components/schemas/FleetEvent',
    });
    expect(document.components.schemas.FleetEvent).toBeDefined();
  });
});
