import { describe, expect, it } from 'vitest';
import { testPlan } from '../../fakes/promotions.js';
import { apiHarness, bearer, promote } from './harness.js';

describe('promotions API', () => {
  it('starts a promotion (201), refuses a second one for the platform (409) and an unknown platform (404)', async () => {
    const { app, store } = await apiHarness();
    const created = await promote(app);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'p-1',
      platform: 'shop',
      toVersion: '1.35',
      phase: 'running',
      createdBy: 'operator-user',
    });

    const again = await promote(app);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: 'conflict',
      message: expect.stringMatching(/already has an active promotion: p-1/),
    });

    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/promotions',
      headers: bearer('operator'),
      payload: { platform: 'nope', targetVersion: '1.35' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('platform "nope" not found');
    expect((await store.list()).map((p) => p.id)).toEqual(['p-1']);
  });

  it('rejects malformed bodies with 400 and the path of each bad field, storing nothing', async () => {
    const { app, store } = await apiHarness();
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/promotions',
      headers: bearer('operator'),
      payload: { platform: '', targetVersion: 'latest', options: { rollback: { mode: 'slow' } }, extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad
      .json()
      .issues.map((i: { path: string }) => i.path)
      .sort();
    expect(paths).toEqual(['body', 'body.options.rollback.mode', 'body.platform', 'body.targetVersion']);
    expect(await store.list()).toEqual([]);
  });

  it('lists with filters and pagination, and shows a promotion with its events', async () => {
    const { app, drive } = await apiHarness();
    await promote(app);
    await drive('p-1');
    const list = await app.inject({
      url: '/v1/promotions?platform=shop&phase=waiting-approval&limit=1',
      headers: bearer('viewer'),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      limit: 1,
      offset: 0,
      items: [{ id: 'p-1', phase: 'waiting-approval' }],
    });
    expect(
      (await app.inject({ url: '/v1/promotions?phase=succeeded', headers: bearer('viewer') })).json().items,
    ).toEqual([]);
    expect((await app.inject({ url: '/v1/promotions?limit=0', headers: bearer('viewer') })).statusCode).toBe(
      400,
    );

    const detail = (await app.inject({ url: '/v1/promotions/p-1', headers: bearer('viewer') })).json();
    expect(detail.stages.provision).toMatchObject({
      state: 'succeeded',
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect(detail.traffic.history.map((h: { green: number }) => h.green)).toEqual([1, 10, 50, 100]);
    expect(detail.gates).toEqual([expect.objectContaining({ id: 'decommission' })]);
    expect(detail.events[0]).toMatchObject({ type: 'promotion.created', actor: 'operator-user' });
    expect((await app.inject({ url: '/v1/promotions/p-9', headers: bearer('viewer') })).statusCode).toBe(404);
  });

  it('sets a manual weight, pauses, resumes, approves and rolls back, each acting at once', async () => {
    const { app, drive, cloud } = await apiHarness({ plan: testPlan({ approvalAt: [50] }) });
    await promote(app);
    await drive('p-1');
    const approve = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/approve',
      headers: bearer('operator'),
      payload: { gate: 'shift-traffic/3-to-50' },
    });
    expect(approve.statusCode).toBe(200);
    await drive('p-1', { until: (p) => p.traffic.green === 50 });

    const traffic = await app.inject({
      method: 'PUT',
      url: '/v1/promotions/p-1/traffic',
      headers: bearer('operator'),
      payload: { green: 30 },
    });
    expect(traffic.statusCode).toBe(200);
    expect(traffic.json()).toMatchObject({ phase: 'paused', traffic: { manualChange: { green: 30 } } });
    await drive('p-1');
    expect(cloud.greenPercent()).toBe(30);
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/v1/promotions/p-1/traffic',
          headers: bearer('operator'),
          payload: { green: 101 },
        })
      ).statusCode,
    ).toBe(400);

    expect(
      (
        await app.inject({ method: 'POST', url: '/v1/promotions/p-1/resume', headers: bearer('operator') })
      ).json().phase,
    ).toBe('running');
    const paused = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/pause',
      headers: bearer('operator'),
      payload: { reason: 'freeze' },
    });
    expect(paused.json()).toMatchObject({ phase: 'paused', pauseReason: 'freeze' });
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/pause',
      headers: bearer('operator'),
      payload: { reason: 'again' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: 'refused',
      message: expect.stringMatching(/already paused/),
    });

    const rollback = await app.inject({
      method: 'POST',
      url: '/v1/platforms/shop/rollback',
      headers: bearer('operator'),
      payload: { reason: 'errors up', green: 'keep' },
    });
    expect(rollback.statusCode).toBe(200);
    expect(rollback.json()).toMatchObject({
      phase: 'rolling-back',
      rollback: { requestedBy: 'operator-user', green: 'keep' },
    });
    expect((await drive('p-1')).phase).toBe('rolled-back');
    expect(cloud.greenPercent()).toBe(0);
  });

  it('decommission approval needs an admin', async () => {
    const { app, drive } = await apiHarness();
    await promote(app);
    await drive('p-1');
    const byOperator = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/approve',
      headers: bearer('operator'),
    });
    expect(byOperator.statusCode).toBe(403);
    expect(byOperator.json().message).toMatch(/needs the admin role/);
    const byAdmin = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/approve',
      headers: bearer('admin'),
      payload: { gate: 'decommission' },
    });
    expect(byAdmin.statusCode).toBe(200);
    expect((await drive('p-1')).phase).toBe('succeeded');
    const late = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/rollback',
      headers: bearer('operator'),
      payload: { reason: 'too late' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toMatch(/decommissioned/);
  });

  it("an operator's gate-less approve never reaches the decommission gate, even if it opens in between", async () => {
    // The race: the operator looked while a traffic gate was open; by the time the approval is
    // written, that gate is approved and the decommission gate is the only one open. A store that
    // shows the stale record to any read before the write reproduces the interleaving.
    const { app, drive, store } = await apiHarness({ plan: testPlan({ approvalAt: [50] }) });
    await promote(app);
    const atTrafficGate = await drive('p-1');
    expect(atTrafficGate.gates.map((g) => g.id)).toEqual(['shift-traffic/3-to-50']);
    const stale = structuredClone(atTrafficGate);
    await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/approve',
      headers: bearer('operator'),
      payload: { gate: 'shift-traffic/3-to-50' },
    });
    const atDecommission = await drive('p-1');
    expect(atDecommission.gates.filter((g) => !g.approvedAt).map((g) => g.id)).toEqual(['decommission']);
    const realGet = store.get.bind(store);
    let reads = 0;
    store.get = async (id) => (++reads === 1 ? stale : realGet(id));

    const raced = await app.inject({
      method: 'POST',
      url: '/v1/promotions/p-1/approve',
      headers: bearer('operator'),
    });
    store.get = realGet;
    expect(raced.statusCode).toBe(403);
    expect(raced.json().message).toMatch(/needs the admin role/);
    const after = await realGet('p-1');
    expect(after?.gates.find((g) => g.id === 'decommission')?.approvedAt).toBeUndefined();
    expect(after?.phase).toBe('waiting-approval');
  });

  it('records every mutating request in the audit log with who, what and the outcome', async () => {
    const { app, store } = await apiHarness();
    await promote(app);
    await app.inject({ method: 'POST', url: '/v1/promotions/p-1/approve', headers: bearer('operator') });
    await app.inject({ method: 'POST', url: '/v1/promotions/p-1/pause', headers: bearer('viewer') });
    const audit = await store.audit();
    expect(audit.map((a) => [a.actor, a.action, a.status, a.outcome])).toEqual([
      ['viewer-user', 'POST /v1/promotions/p-1/pause', 403, 'refused'],
      ['operator-user', 'POST /v1/promotions/p-1/approve', 409, 'refused'],
      ['operator-user', 'POST /v1/promotions', 201, 'ok'],
    ]);
  });

  it('answers 413 for a body over the limit, and 429 past the mutation rate limit', async () => {
    // The oversized request counts against the caller's budget too: 3 in all, the third refused.
    const { app, store } = await apiHarness({ mutationsPerMinute: 2 });
    const big = await app.inject({
      method: 'POST',
      url: '/v1/promotions',
      headers: { ...bearer('operator'), 'content-type': 'application/json' },
      payload: JSON.stringify({ platform: 'x'.repeat(70_000), targetVersion: '1.35' }),
    });
    expect(big.statusCode).toBe(413);
    expect(await store.list()).toEqual([]);
    const statuses = [];
    for (let i = 0; i < 2; i++)
      statuses.push(
        (await app.inject({ method: 'POST', url: '/v1/promotions/p-9/resume', headers: bearer('operator') }))
          .statusCode,
      );
    expect(statuses).toEqual([404, 429]);
  });
});
