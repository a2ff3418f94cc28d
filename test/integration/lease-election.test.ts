import { randomBytes } from 'node:crypto';
import { ApiException, CoordinationV1Api, CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { claimFence, configMapObject } from '../../src/ha/configmap-fence.js';
import { type FencedObjectApi, fencedWrite, storedEpoch } from '../../src/ha/fencing.js';
import { type LeaseApi, LeaseElector } from '../../src/ha/lease-elector.js';
import { microTimeMillis } from '../../src/ha/lease-record.js';
import { nudgeOnLeaseRelease } from '../../src/ha/lease-watch.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { waitFor } from './support/wait-for.js';

// Short timings, so a takeover takes seconds; same proportions as the 15 s / 10 s / 2 s defaults.
const timings = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const leaseName = 'switchyard-leader';
const fenceName = 'switchyard-fence';

/**
 * A sleep that can be frozen, to play a paused process (a GC pause, a stopped VM): once frozen, every
 * sleep that ends stays blocked until thawed, so the elector's loop stops renewing without releasing.
 */
class Freezer {
  #thawed: Promise<void> | undefined;
  #thaw: () => void = () => {};
  blocked = 0;

  freeze(): void {
    this.#thawed = new Promise((resolve) => {
      this.#thaw = resolve;
    });
  }

  thaw(): void {
    this.#thawed = undefined;
    this.#thaw();
  }

  readonly sleep = async (ms: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    while (this.#thawed !== undefined) {
      this.blocked++;
      await this.#thawed;
    }
  };
}

describeWithServers('leader election on a Lease (sandbox apiserver, context green)', () => {
  const env = testEnvironment();
  const config = loadKubeConfig({ path: env.kubeconfigPath, context: 'green' });
  const core = config.makeApiClient(CoreV1Api);
  const namespace = `lease-${randomBytes(3).toString('hex')}`;
  const fence = configMapObject(core, namespace, fenceName);

  /** A replica: its own client, a freezable loop, and the time of each leadership event. */
  const replica = (identity: string) => {
    const api = config.makeApiClient(CoordinationV1Api);
    const counted = { reads: 0 };
    const leases: LeaseApi = {
      createNamespacedLease: (request) => api.createNamespacedLease(request),
      readNamespacedLease: (request) => {
        counted.reads++;
        return api.readNamespacedLease(request);
      },
      replaceNamespacedLease: (request) => api.replaceNamespacedLease(request),
    };
    const freezer = new Freezer();
    const log = pino({ level: 'silent' });
    const elector = new LeaseElector({
      leases,
      namespace,
      name: leaseName,
      identity,
      log,
      ...timings,
      sleep: freezer.sleep,
    });
    const events: string[] = [];
    const startedAt: number[] = [];
    elector.onStartedLeading((epoch) => {
      events.push(`started ${epoch}`);
      startedAt.push(Date.now());
    });
    elector.onStoppedLeading((reason) => {
      events.push(`stopped ${reason}`);
    });
    return { identity, elector, freezer, counted, events, startedAt };
  };
  const a = replica('replica-a');
  const b = replica('replica-b');
  const c = replica('replica-c');
  const stopWatching: (() => void)[] = [];
  const readLease = () =>
    config.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name: leaseName });
  /** Waits until the replica's loop has read the Lease `count` more times (made that many attempts). */
  const attempts = (r: ReturnType<typeof replica>, count: number) => {
    const target = r.counted.reads + count;
    return waitFor(async () => r.counted.reads >= target, `${r.identity} to try ${count} times`);
  };
  const figures: string[] = [];

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    for (const stop of stopWatching) stop();
    for (const r of [a, b, c]) r.freezer.thaw();
    await Promise.all([a, b, c].map((r) => r.elector.stop()));
    await core.deleteNamespace({ name: namespace });
    if (figures.length > 0) console.log(`lease-election: ${figures.join('; ')}`);
  });

  it('lets exactly one of two electors lead, and the leader claims the fence at its epoch', async () => {
    a.elector.start();
    await waitFor(async () => a.elector.isLeader(), 'replica-a to lead');
    b.elector.start();
    await attempts(b, 3);

    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect((await readLease()).spec).toMatchObject({
      holderIdentity: 'replica-a',
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
    });
    const claim = await claimFence(a.elector, core, { namespace, name: fenceName, holder: a.identity });
    expect(claim.outcome).toBe('written');
  });

  it('a frozen leader is replaced after the lease duration; woken, its fenced write gets a 409 and it steps down', async () => {
    // What replica-a read for its next write, just before it froze.
    const readBeforePause = await fence.read();
    a.freezer.freeze();
    const frozenAt = Date.now();
    await waitFor(async () => a.freezer.blocked > 0, 'replica-a to be frozen');
    const lastRenewal = microTimeMillis((await readLease()).spec?.renewTime) ?? Number.NaN;

    await waitFor(async () => b.elector.isLeader(), 'replica-b to take over', 10 * timings.leaseDurationMs);
    const takenOverAt = b.startedAt[0] ?? Number.NaN;
    const takeover = takenOverAt - lastRenewal;
    figures.push(
      `takeover ${takeover} ms after the frozen leader's last renewal (${takenOverAt - frozenAt} ms after freezing; lease ${timings.leaseDurationMs} ms)`,
    );
    expect(b.elector.epoch).toBe(1);
    expect((await readLease()).spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
    expect(
      (await claimFence(b.elector, core, { namespace, name: fenceName, holder: b.identity })).outcome,
    ).toBe('written');

    // replica-a's loop is still frozen, so it believes it leads: only the fence can stop its write.
    expect(a.elector.isLeader()).toBe(true);
    const refusals: number[] = [];
    const watched: FencedObjectApi<V1ConfigMap> = {
      read: () => fence.read(),
      replace: (body) =>
        fence.replace(body).catch((error: unknown) => {
          if (error instanceof ApiException) refusals.push(error.code);
          throw error;
        }),
    };
    const write = await fencedWrite(a.elector, watched, readBeforePause, (map) => ({
      ...map,
      data: { ...map.data, acted: a.identity },
    }));
    expect(write).toEqual({ outcome: 'superseded', storedEpoch: 1, ourEpoch: 0 });
    expect(refusals).toEqual([409]);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['started 0', 'stopped fenced']);
    const stored = await fence.read();
    expect(stored.data).toEqual({ holder: 'replica-b' });
    expect(storedEpoch(stored)).toBe(1);

    a.freezer.thaw();
    await attempts(a, 2);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([false, true]);
  });

  it('a graceful stop releases the Lease and the other replica leads at its next attempt', async () => {
    const stopAt = Date.now();
    await b.elector.stop();
    expect((await readLease()).spec?.holderIdentity).toBeUndefined();
    await waitFor(async () => a.elector.isLeader(), 'replica-a to lead again', 10 * timings.leaseDurationMs);
    figures.push(
      `graceful handover ${(a.startedAt[1] ?? Number.NaN) - stopAt} ms (retry period ${timings.retryPeriodMs} ms)`,
    );
    expect(a.elector.epoch).toBe(2);
    expect(b.events).toEqual(['started 1', 'stopped stopped']);
    expect((await readLease()).spec).toMatchObject({ holderIdentity: 'replica-a', leaseTransitions: 2 });
  });

  it('with the lease watch, a waiting candidate leads as soon as the leader releases, not at its next attempt', async () => {
    const log = pino({ level: 'silent' });
    stopWatching.push(
      nudgeOnLeaseRelease({
        kubeConfig: config,
        namespace,
        name: leaseName,
        nudge: () => c.elector.nudge(),
        log,
      }),
    );
    // Frozen from the start: after its first attempt finds replica-a leading, only a nudge can wake it.
    c.freezer.freeze();
    c.elector.start();
    await waitFor(async () => c.freezer.blocked > 0, 'replica-c to wait after its first attempt');
    expect(c.elector.isLeader()).toBe(false);

    const stopAt = Date.now();
    await a.elector.stop();
    await waitFor(async () => c.elector.isLeader(), 'replica-c to lead');
    figures.push(`graceful handover with the lease watch ${(c.startedAt[0] ?? Number.NaN) - stopAt} ms`);
    c.freezer.thaw();
    expect(c.elector.epoch).toBe(3);
    expect((await readLease()).spec).toMatchObject({ holderIdentity: 'replica-c', leaseTransitions: 3 });
  });
});
