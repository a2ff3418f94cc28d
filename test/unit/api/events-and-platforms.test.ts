import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import { createChangeBus } from '../../../src/store/changes.js';
import { createMemoryStore } from '../../../src/store/memory.js';
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
    const { app, controller, drive, store } = await apiHarness();
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
    // Every stored event, once, in order: what was pushed is the durable log.
    expect(all.events.map((e) => e.id)).toEqual((await store.events('p-1')).map((e) => e.seq));

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

describe('a promotion with its events', () => {
  it('carries the newest page of events with the total, and pages forward through all of them in order', async () => {
    const { app, drive, store } = await apiHarness();
    await promote(app);
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    const stored = (await store.events('p-1')).map((e) => e.seq);
    expect(stored.length).toBeGreaterThan(6);
    const detail = async (query: string) => {
      const answer = await app.inject({ url: `/v1/promotions/p-1${query}`, headers: bearer('viewer') });
      expect(answer.statusCode).toBe(200);
      return answer.json() as { events: { seq: number }[]; eventsTotal: number; id: string };
    };

    const whole = await detail('');
    expect(whole.id).toBe('p-1');
    expect(whole.events.map((e) => e.seq)).toEqual(stored);
    expect(whole.eventsTotal).toBe(stored.length);
    expect((await detail('?eventsLimit=3')).events.map((e) => e.seq)).toEqual(stored.slice(-3));

    const visited: number[] = [];
    let after = 0;
    for (;;) {
      const page = await detail(`?eventsAfter=${after}&eventsLimit=4`);
      expect(page.eventsTotal).toBe(stored.length);
      visited.push(...page.events.map((e) => e.seq));
      if (page.events.length < 4) break;
      after = page.events.at(-1)?.seq ?? after;
    }
    expect(visited).toEqual(stored);

    // Unknown query parameters stay ignored, as before paging; bad page values are a 400 naming the field.
    expect((await detail('?t=123')).events).toHaveLength(stored.length);
    const bad = await app.inject({ url: '/v1/promotions/p-1?eventsLimit=0', headers: bearer('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('querystring.eventsLimit');
  });
});

describe('event stream clean-up', () => {
  it('ends open streams when the server closes, so closing never waits on them', async () => {
    const bus = createChangeBus();
    const { app } = await apiHarness({ store: createMemoryStore({ bus }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await promote(app);
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const streams = [1, 2].map(() =>
      readStream(`${base}/v1/promotions/p-1/events`, { authorization: `Bearer ${tokens.viewer}` }),
    );
    await vi.waitFor(() => expect(bus.listenerCount()).toBe(1));
    await app.close();
    for (const stream of await Promise.all(streams))
      expect(stream.events[0]?.event).toBe('promotion.created');
    expect(bus.listenerCount()).toBe(0);
  });

  it('stops watching the store when its client goes away', async () => {
    const bus = createChangeBus();
    const { app, drive } = await apiHarness({ store: createMemoryStore({ bus }) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    const port = (app.server.address() as AddressInfo).port;
    await promote(app);
    for (let i = 0; i < 3; i++) {
      const firstEvent = new Promise<() => void>((resolve, reject) => {
        const req = request(
          { port, host: '127.0.0.1', path: '/v1/promotions/p-1/events', headers: bearer('viewer') },
          (res) => res.once('data', () => resolve(() => req.destroy())),
        );
        req.on('error', () => {});
        req.on('close', () => reject(new Error('closed before an event')));
        req.end();
      });
      const hangUp = await firstEvent;
      expect(bus.listenerCount()).toBe(1);
      hangUp();
      await vi.waitFor(() => expect(bus.listenerCount()).toBe(0));
    }
    // The promotion goes on; nobody is told of it any more.
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    expect(bus.listenerCount()).toBe(0);
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
