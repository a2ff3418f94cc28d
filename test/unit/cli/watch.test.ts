import { afterEach, describe, expect, it } from 'vitest';
import { cli, eventually, listeningApi, startCli } from './helpers.js';

let api: Awaited<ReturnType<typeof listeningApi>> | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('--watch', () => {
  it('prints each event as a line when stdout is not a terminal, and exits 1 when the promotion rolls back', async () => {
    api = await listeningApi();
    const { env, drive, controller } = api;
    expect((await cli(['promote', 'shop', '--to', '1.35'], env())).code).toBe(0);
    await drive('p-1', { until: (p) => p.traffic.green === 10 });

    const watching = startCli(['status', 'shop', '--watch'], env('viewer'));
    // History first (from the promotion's detail); what follows can only have come over the stream.
    await eventually(() => watching.live.stdout.includes('traffic.verified'));
    const before = watching.live.stdout.length;
    await controller.rollback('p-1', { by: 'test', reason: 'errors up', green: 'keep' });
    await drive('p-1');
    const result = await watching.done;

    const lines = result.stdout.trim().split('\n');
    expect(result.code).toBe(1);
    expect(lines[0]).toMatch(/^\S+Z {2}promotion\.created .*\[operator-user\]$/);
    expect(result.stdout.slice(before)).toMatch(/rollback\.finished/);
    expect(lines.at(-1)).toBe('p-1 rolled back: shop is on shop-blue (errors up)');
    expect(result.stderr).toBe('');
  });

  it('redraws the status view on a terminal, and exits 0 when the promotion succeeds', async () => {
    api = await listeningApi();
    const { env, drive, controller } = api;
    expect((await cli(['promote', 'shop', '--to', '1.35'], env())).code).toBe(0);
    const watching = startCli(['status', 'p-1', '--watch'], env('viewer'), { tty: true });
    await eventually(() => watching.live.stdout.includes('p-1  shop'));
    await drive('p-1');
    await controller.approve('p-1', 'decommission', { name: 'admin', mayDecommission: true });
    await drive('p-1');
    const result = await watching.done;
    expect(result.code).toBe(0);
    // One redraw for the start, one per streamed event, one at the end.
    expect(result.stdout.split('\x1b[H\x1b[2J').length).toBeGreaterThan(5);
    expect(result.stdout).toContain('green ██████████ 100%');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('p-1 succeeded: shop runs 1.35 on shop-green');
  });

  it('with --output json prints only the final promotion, as one document', async () => {
    api = await listeningApi();
    const { env, drive, store } = api;
    const promote = startCli(['promote', 'shop', '--to', '1.35', '--watch', '-o', 'json'], env());
    await eventually(async () => (await store.get('p-1')) !== undefined);
    await drive('p-1', { until: (p) => p.traffic.green === 10 });
    expect((await cli(['rollback', 'shop', '--reason', 'stop'], env())).code).toBe(0);
    await drive('p-1');
    const result = await promote.done;
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({ id: 'p-1', phase: 'rolled-back', events: expect.any(Array) });
  });
});
