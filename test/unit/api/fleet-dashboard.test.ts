import { describe, expect, it } from 'vitest';
import { fleetDashboardRules } from '../../../src/api/dashboard/fleet-rules.js';
import { fleetMemberStates } from '../../../src/domain/fleet.js';
import { fakeFleetSurface, withMembers, withStage } from '../../fakes/fleet-surface.js';
import { apiHarness } from './harness.js';

interface Action {
  kind: string;
  stage?: string;
}
interface Rules {
  fleetActions(role: unknown, run: object): Action[];
  fleetRows(run: object): { stage: { name: string }; members: { platform: string }[] }[];
}

/** The rules exactly as the browser runs them: the same source text, evaluated. */
const rules = new Function(`${fleetDashboardRules}\nreturn { fleetActions, fleetRows };`)() as Rules;
const kinds = (actions: Action[]) => actions.map((a) => (a.stage ? `${a.kind} ${a.stage}` : a.kind));

async function startedRun() {
  const fleets = fakeFleetSurface();
  return fleets.start({ strategy: 'standard', targetVersion: '1.35' }, 'casey');
}

describe('fleet dashboard', () => {
  it('serves the fleet view and its script without a token, linked from the main page', async () => {
    const { app } = await apiHarness();
    expect((await app.inject({ url: '/dashboard' })).body).toContain('<a href="/dashboard/fleet">');
    const page = await app.inject({ url: '/dashboard/fleet' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toContain('<script src="/dashboard/fleet.js"></script>');
    // Every member state has its own colour.
    for (const state of fleetMemberStates)
      expect(page.body).toMatch(new RegExp(`\\.member\\.${state} \\{ background`));

    const script = await app.inject({ url: '/dashboard/fleet.js' });
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    for (const call of [
      "'/v1/me'",
      "'/v1/fleet-runs?limit=20'",
      "'/v1/fleet-runs/'",
      "'/approve'",
      "'/abort'",
    ]) {
      expect(script.body).toContain(call);
    }
    expect(script.body).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
    expect(() => new Function(script.body)).not.toThrow();
    expect(script.body).toContain(fleetDashboardRules);
  });

  it('groups members under their stage in start order', async () => {
    const run = await startedRun();
    expect(
      rules
        .fleetRows({ ...run, members: [...run.members].reverse() })
        .map((row) => [row.stage.name, row.members.map((m) => m.platform)]),
    ).toEqual([
      ['dev', ['dev-1', 'dev-2']],
      ['prod', ['prod-a', 'prod-b']],
    ]);
  });

  it('offers operators pause, the approvals a gated stage waits for, stop and abort; viewers and finished runs nothing', async () => {
    const started = await startedRun();
    // prod is approved only once it waits on its gates (dev done), not while dev runs.
    expect(kinds(rules.fleetActions('operator', started))).toEqual(['pause', 'stop', 'abort']);
    const run = withStage(started, 'prod', 'gated');
    expect(kinds(rules.fleetActions('operator', run))).toEqual(['pause', 'approve prod', 'stop', 'abort']);
    expect(kinds(rules.fleetActions('admin', { ...run, state: 'paused' }))).toEqual([
      'resume',
      'approve prod',
      'stop',
      'abort',
    ]);
    const approved = {
      ...run,
      stages: run.stages.map((s) => ({
        ...s,
        gates: s.gates.map((g) => ({ ...g, metAt: '2026-11-27T09:01:00Z' })),
      })),
    };
    expect(kinds(rules.fleetActions('operator', approved))).toEqual(['pause', 'stop', 'abort']);
    // Stopping: an abort can still roll back what is in flight; once aborting, nothing is left to ask.
    expect(
      kinds(rules.fleetActions('operator', { ...approved, state: 'stopping', stoppingAs: 'stopped' })),
    ).toEqual(['abort']);
    expect(rules.fleetActions('operator', { ...approved, state: 'stopping', stoppingAs: 'aborted' })).toEqual(
      [],
    );
    for (const role of ['viewer', null, undefined, 'root']) expect(rules.fleetActions(role, run)).toEqual([]);
    for (const state of ['succeeded', 'failed', 'stopped', 'aborted']) {
      expect(rules.fleetActions('admin', { ...withMembers(run, { 'dev-1': 'succeeded' }), state })).toEqual(
        [],
      );
    }
  });
});
