/**
 * The fleet routes over the real fleet controller (not the fake): strategies from the config's parser,
 * runs stored in the memory store, the verbs as the fleet layer's commands. No reconciler runs: a test
 * sees what the API stores and which runs it wakes.
 */
import { describe, expect, it } from 'vitest';
import type { PlatformCatalog } from '../../../src/api/catalog.js';
import { parseFleetStrategy } from '../../../src/config/fleet-schema.js';
import { FleetController } from '../../../src/fleet/fleet-controller.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { contractChecker } from './document.js';
import { apiHarness, bearer } from './harness.js';

const strategy = parseFleetStrategy({
  name: 'two-waves',
  stages: [
    { name: 'dev', selector: { env: 'dev' }, maxConcurrency: '100%', memberSoak: '1m' },
    { name: 'prod', selector: { env: 'prod' }, after: [{ approval: true }], onFailure: 'rollback-in-flight' },
  ],
});

async function realFleetApi() {
  const store = createMemoryStore();
  const woken: string[] = [];
  let catalog: PlatformCatalog | undefined;
  const fleets = new FleetController({
    store,
    strategies: new Map([[strategy.name, strategy]]),
    // "gone" is labelled but unknown to the catalog: its dry run fails, which the plan shows as a blocker.
    platforms: () => [
      { name: 'shop', labels: { env: 'dev' } },
      { name: 'gone', labels: { env: 'prod' } },
    ],
    catalog: { plan: (name, version) => (catalog as PlatformCatalog).plan(name, version) },
    reconciler: { wake: (id) => woken.push(id) },
  });
  const harness = await apiHarness({
    store,
    fleets,
    catalog: (given) => {
      catalog = given;
      return given;
    },
  });
  const check = await contractChecker(harness.app);
  const send = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const response = await harness.app.inject({
      method,
      url,
      headers: bearer('operator'),
      ...(payload ? { payload } : {}),
    });
    const documented = url.replace(/\/fleet-runs\/[^/?]+/, '/fleet-runs/{id}').split('?')[0] ?? url;
    expect(check(method, documented, response), `${method} ${url}`).toEqual([]);
    return response;
  };
  return { ...harness, send, woken };
}

describe('fleet API over the fleet controller', () => {
  it('plans, starts, reads and steers a run as the fleet layer stores it', async () => {
    const { send, woken, store } = await realFleetApi();
    expect((await send('GET', '/v1/fleet-strategies')).json()).toEqual({ items: [strategy] });

    const plan = await send('POST', '/v1/fleet-plans', { strategy: 'two-waves', targetVersion: '1.35' });
    expect(plan.json()).toMatchObject({
      stages: [
        { name: 'dev', members: [{ platform: 'shop', blockers: [] }] },
        { name: 'prod', members: [{ platform: 'gone', blockers: [expect.stringContaining('gone')] }] },
      ],
      unselected: [],
    });

    const created = await send('POST', '/v1/fleet-runs', { strategy: 'two-waves', targetVersion: '1.35' });
    expect(created.statusCode).toBe(201);
    const run = created.json();
    expect(run).toMatchObject({ state: 'running', createdBy: 'operator-user', version: 1 });
    expect(run.members.map((m: { platform: string; state: string }) => `${m.platform} ${m.state}`)).toEqual([
      'shop pending',
      'gone pending',
    ]);
    expect(woken).toEqual([run.id]);
    expect((await send('GET', `/v1/fleet-runs/${run.id}`)).json()).toEqual(run);
    expect((await send('GET', '/v1/fleet-runs?state=running')).json().items).toEqual([run]);

    expect((await send('POST', `/v1/fleet-runs/${run.id}/pause`, { reason: 'freeze' })).json()).toMatchObject(
      {
        state: 'paused',
        reason: 'freeze',
      },
    );
    const twice = await send('POST', `/v1/fleet-runs/${run.id}/pause`);
    expect(twice.statusCode).toBe(409);
    expect((await send('POST', `/v1/fleet-runs/${run.id}/resume`)).json().state).toBe('running');
    // prod is not reached while dev has not finished: approving it now is refused, naming why.
    const early = await send('POST', `/v1/fleet-runs/${run.id}/approve`, { stage: 'prod' });
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toMatch(/not reached yet/);
    expect((await send('POST', `/v1/fleet-runs/${run.id}/approve`, { stage: 'nope' })).statusCode).toBe(404);
    const aborted = await send('POST', `/v1/fleet-runs/${run.id}/abort`, { reason: 'enough' });
    expect(aborted.json()).toMatchObject({ reason: 'enough' });
    expect(['stopping', 'aborted']).toContain(aborted.json().state);
    expect(woken.every((id) => id === run.id)).toBe(true);

    // Every verb left its events in the run's log, which the event stream reads.
    const types = (await store.fleets.runEvents(run.id)).map((event) => event.type);
    expect(types[0]).toBe('fleet.created');
    expect(types).toEqual(expect.arrayContaining(['fleet.paused', 'fleet.resumed', 'fleet.stopping']));
  });
});
