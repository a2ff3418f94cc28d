import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import { apiHarness, bearer, promote, tokens } from './harness.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Reads a server-sent event stream over a real socket until it ends; returns the events' ids and types. */
function readStream(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string; events: { id: number; event: string }[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        const events = text
          .split('\n\n')
          .filter((block) => block.startsWith('id: '))
          .map((block) => ({
            id: Number(/^id: (\d+)/.exec(block)?.[1]),
            event: /\nevent: (.+)/.exec(block)?.[1] ?? '',
          }));
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), events });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('event stream over a real socket', () => {
  it('streams every event of a promotion as it happens, ends when it has finished, and resumes after Last-Event-ID', async () => {
    const { app, controller, drive } = await apiHarness();
    await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await promote(app);

    const streamed = readStream(`${base}/v1/promotions/p-1/events`, {
      authorization: `Bearer ${tokens.viewer}`,
    });
    // The promotion runs while the stream is open; a rollback finishes it.
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    await controller.rollback('p-1', { by: 'test', reason: 'end the stream', green: 'keep' });
    await drive('p-1');
    const all = await streamed;
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^text\/event-stream/);
    expect(all.events[0]?.event).toBe('promotion.created');
    expect(all.events.at(-1)?.event).toBe('rollback.finished');
    expect(all.events.map((e) => e.event)).toContain('traffic.verified');

    const middle = all.events[3]?.id ?? 0;
    const resumed = await readStream(`${base}/v1/promotions/p-1/events`, {
      authorization: `Bearer ${tokens.viewer}`,
      'last-event-id': String(middle),
    });
    expect(resumed.events.map((e) => e.id)).toEqual(all.events.filter((e) => e.id > middle).map((e) => e.id));

    const unauthorized = await readStream(`${base}/v1/promotions/p-1/events`, {});
    expect(unauthorized.status).toBe(401);
  });
});

describe('platforms API', () => {
  it('lists platforms with their active promotion, and shows live weights read from the router', async () => {
    const { app, drive } = await apiHarness();
    const list = await app.inject({ url: '/v1/platforms', headers: bearer('viewer') });
    expect(list.json()).toEqual({ items: [expect.objectContaining({ name: 'shop', router: 'route53' })] });
    expect(list.json().items[0].activePromotion).toBeUndefined();

    await promote(app);
    await drive('p-1', { until: (p) => p.traffic.green === 50 });
    const detail = (await app.inject({ url: '/v1/platforms/shop', headers: bearer('viewer') })).json();
    expect(detail).toMatchObject({
      name: 'shop',
      activePromotion: 'p-1',
      liveTraffic: { kind: 'weighted', green: 50 },
    });
    expect((await app.inject({ url: '/v1/platforms/nope', headers: bearer('viewer') })).statusCode).toBe(404);
  });

  it('plans without changing anything', async () => {
    const { app, store, cloud } = await apiHarness();
    const plan = await app.inject({
      method: 'POST',
      url: '/v1/platforms/shop/plan',
      headers: bearer('viewer'),
      payload: { targetVersion: 'v1.35' },
    });
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({
      platform: 'shop',
      toVersion: '1.35',
      addons: { 'vpc-cni': expect.any(String) },
    });
    expect(await store.list()).toEqual([]);
    expect(cloud.calls('router.apply')).toEqual([]);
  });

  it('says which provider failed and why when a plan cannot be made (502, 503 when retrying may help)', async () => {
    const failing = await apiHarness({
      catalog: (c) => ({
        ...c,
        plan: () => Promise.reject(new ProviderError('EKS cluster shop-blue: AccessDenied', false)),
      }),
    });
    const response = await failing.app.inject({
      method: 'POST',
      url: '/v1/platforms/shop/plan',
      headers: bearer('viewer'),
      payload: { targetVersion: '1.36' },
    });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({ error: 'provider', message: 'EKS cluster shop-blue: AccessDenied' });
  });

  it('exposes Prometheus metrics: promotions by phase, green weight, request counts', async () => {
    const { app, drive } = await apiHarness();
    await promote(app);
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/switchyard_promotions\{phase="running"\} 1/);
    expect(text).toMatch(/switchyard_green_weight_percent\{platform="shop"\} 10/);
    expect(text).toMatch(
      /switchyard_http_requests_total\{method="POST",route="\/v1\/promotions",status="201"\} 1/,
    );
  });
});

describe('GET /v1/me', () => {
  it("names the caller and the caller's role", async () => {
    const { app } = await apiHarness();
    const me = await app.inject({ url: '/v1/me', headers: bearer('operator') });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ name: 'operator-user', role: 'operator' });
    expect((await app.inject({ url: '/v1/me', headers: bearer('admin') })).json().role).toBe('admin');
  });
});
