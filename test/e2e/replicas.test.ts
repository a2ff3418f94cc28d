/**
 * Two controller replicas on the Kubernetes store (the management cluster is the blue apiserver): one
 * leads on a Lease and drives promotions, both serve the API. The leader is killed with SIGKILL during a
 * traffic bake and during a stepped rollback; the other replica takes over within the lease, the
 * promotion finishes, and every weight step reaches Route 53 exactly once (the fault proxy in front of
 * moto sees every change batch). Figures (takeover, rollback latency via follower and leader) are printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startController } from '../env/controller-process.js';
import { type FaultProxy, noFaults, startFaultProxy } from '../env/fault-proxy.js';
import type { ServerProcess } from '../env/server-process.js';
import { projectRoot } from '../env/tools.js';
import { createWorld, type World } from '../env/world.js';
import { prepareReplicas, type Replica, type Replicas } from '../env/world-replicas.js';
import { describeWithServers, testEnvironment } from '../integration/environment.js';
import { waitFor as waitUntil } from '../integration/support/wait-for.js';
import { shopState } from './moto-state.js';
import { greenShares, weightWrites } from './route53-writes.js';
import { callApi, type Json } from './support.js';

const leaseSeconds = 3;

describeWithServers('two controller replicas on the Kubernetes store', () => {
  let proxy: FaultProxy;
  let world: World;
  let ha: Replicas;
  const running = new Map<string, ServerProcess>();
  const figures: string[] = [];

  beforeAll(async () => {
    const env = testEnvironment();
    const dir = mkdtempSync(join(projectRoot, '.cache/env-runs/e2e-replicas-'));
    proxy = await startFaultProxy(env.awsEndpoint, noFaults);
    world = await createWorld(env, dir, {
      awsEndpoint: proxy.url,
      platform: {
        // The 10 % step bakes long enough to kill the leader inside it; the rollback steps bake too.
        steps: [
          { green: 10, bake: '8s' },
          { green: 50, bake: '1s' },
          { green: 100, bake: '1s' },
        ],
        rollback: { mode: 'stepped', steps: [50, 10], stepBake: '10s', green: 'teardown', drainDelay: '10s' },
      },
    });
    ha = await prepareReplicas(world, env, {
      lease: { duration: `${leaseSeconds}s`, renewDeadline: '2s', retryPeriod: '500ms' },
    });
    for (const replica of ha.replicas) await start(replica);
  }, 180_000);

  // Every test starts with both replicas up: one killed by the test before is started again (a
  // follower now), whether that test passed or not.
  beforeEach(async () => {
    for (const replica of ha.replicas) if (!running.has(replica.name)) await start(replica);
  });

  afterAll(async () => {
    for (const process of running.values()) await process.stop();
    await world?.close();
    await proxy?.close();
    if (figures.length > 0) console.log(`replicas figures: ${figures.join('; ')}`);
  });

  async function start(replica: Replica): Promise<void> {
    running.set(replica.name, await startController(replica.process, `${replica.name}-${Date.now()}`));
  }

  /** SIGKILL: no grace, no Lease release; the other replica must wait out the lease. */
  async function kill(name: string): Promise<number> {
    const process = running.get(name);
    if (process === undefined) throw new Error(`${name} is not running`);
    globalThis.process.kill(process.pid, 'SIGKILL');
    await process.exited;
    running.delete(name);
    return Date.now();
  }

  async function roles(): Promise<{ leader: Replica; follower: Replica }> {
    const holder = await waitUntil(() => ha.holder(), 'a replica to hold the Lease');
    const leader = ha.replicas.find((r) => r.name === holder);
    const follower = ha.replicas.find((r) => r.name !== holder);
    if (!leader || !follower) throw new Error(`unexpected lease holder ${holder}`);
    return { leader, follower };
  }

  const api = (replica: Replica, method: string, path: string, body?: unknown) =>
    callApi(replica.url, world.tokens.operator, method, path, body);

  async function promotion(replica: Replica, id: string, until: (p: Json) => boolean, timeoutMs = 120_000) {
    return waitUntil(
      async () => {
        const { status, body } = await api(replica, 'GET', `/v1/promotions/${id}`);
        return status === 200 && until(body) ? body : undefined;
      },
      `promotion ${id} to reach the expected state (asking ${replica.name})`,
      timeoutMs,
    );
  }

  /** Starts a promotion of shop through `replica` and waits until its 10 % step bakes; returns its id. */
  async function bakingAtTenPercent(replica: Replica): Promise<string> {
    const created = await api(replica, 'POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await promotion(replica, id, (p) => p.currentStage === 'shift-traffic' && p.traffic.green === 10);
    return id;
  }

  /** Waits until `replica` holds the Lease (it took over). */
  const leads = (replica: Replica) =>
    waitUntil(async () => (await ha.holder()) === replica.name, `${replica.name} to take the Lease`, 30_000);

  /** Green is torn down after the drain delay; the next promotion needs its slot free. */
  const greenDeleted = () =>
    waitUntil(
      async () => !(await shopState(world.aws.hostedZoneId)).clusters.includes('shop-green'),
      'shop-green to be deleted',
      60_000,
    );

  const shares = (after: number) => greenShares(weightWrites(proxy.calls, after), 'shop-green', 'shop-blue');

  it('kill -9 of the leader during a traffic bake: the other replica takes over and finishes', async () => {
    const { leader, follower } = await roles();
    // Sent to the follower: it stores the promotion; the leader hears of it from its watch and acts.
    const startedAt = Date.now();
    const id = await bakingAtTenPercent(follower);

    const killedAt = await kill(leader.name);
    await leads(follower);
    const tookOverMs = Date.now() - killedAt;
    // A figure, not a test: timing goals belong in bench/.
    figures.push(`takeover after kill -9 ${tookOverMs} ms (lease ${leaseSeconds} s)`);

    const done = await promotion(
      follower,
      id,
      (p) => p.phase === 'waiting-approval' || p.phase === 'rolled-back',
    );
    expect(done.phase, JSON.stringify(done.rollback)).toBe('waiting-approval');
    expect(done.traffic.history.map((h: Json) => h.green)).toEqual([10, 50, 100]);
    // Each step reached Route 53 once: the new leader did not write the 10 % step again.
    expect(shares(startedAt)).toEqual([10, 50, 100]);
    const state = await shopState(world.aws.hostedZoneId);
    expect(state.weights).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect(state.clusters.filter((c) => c === 'shop-green')).toHaveLength(1);
  });

  it('kill -9 of the leader during a stepped rollback asked of the follower: each rollback step once', async () => {
    const { leader, follower } = await roles();
    const [active] = (await api(follower, 'GET', '/v1/promotions?platform=shop')).body.items as Json[];
    const id = active?.id as string;
    const askedAt = Date.now();
    const asked = await api(follower, 'POST', `/v1/promotions/${id}/rollback`, { reason: 'replica test' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const first = await waitUntil(
      async () => weightWrites(proxy.calls, askedAt)[0],
      'the first rollback write',
    );
    figures.push(`rollback asked of the follower: first weight write after ${first.at - askedAt} ms`);

    await promotion(follower, id, (p) => p.traffic.green === 50);
    await kill(leader.name);
    await leads(follower);

    const done = await promotion(follower, id, (p) => p.phase === 'rolled-back' || p.phase === 'failed');
    expect(done.phase).toBe('rolled-back');
    expect(shares(askedAt)).toEqual([50, 10, 0]);
    const state = await shopState(world.aws.hostedZoneId);
    expect(state.weights).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
  });

  it('a rollback asked of the leader acts in the same moment', async () => {
    const { leader } = await roles();
    const id = await bakingAtTenPercent(leader);
    const askedAt = Date.now();
    const asked = await api(leader, 'POST', `/v1/promotions/${id}/rollback`, { reason: 'replica test' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const first = await waitUntil(
      async () => weightWrites(proxy.calls, askedAt)[0],
      'the first rollback write',
    );
    figures.push(`rollback asked of the leader: first weight write after ${first.at - askedAt} ms`);
    await promotion(leader, id, (p) => p.phase === 'rolled-back');
    expect(shares(askedAt)).toEqual([0]);
    await greenDeleted();
  });

  it('kubectl apply starts a promotion that runs to the decommission gate, kubectl get shows it, kubectl patch rolls it back', async () => {
    const { follower } = await roles();
    const env = testEnvironment();
    const kubectl = (args: readonly string[], input?: string) =>
      runKubectl(
        env.kubectl,
        ['--kubeconfig', env.kubeconfigPath, '--context', 'blue', '-n', ha.namespace, ...args],
        input,
      );
    const name = `shop-gitops-${world.names.suffix}`;
    const applied = await kubectl(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'Promotion',
        metadata: { name },
        spec: { platform: 'shop', targetVersion: '1.36' },
      }),
    );
    expect(applied.stdout).toContain(`promotion.switchyard.dev/${name} created`);
    await promotion(follower, name, (p) => p.currentStage === 'shift-traffic' && p.traffic.green === 10);

    const table = await kubectl(['get', 'promotions']);
    const header = table.stdout.split('\n')[0]?.split(/\s{2,}/);
    expect(header).toEqual(['NAME', 'PLATFORM', 'PHASE', 'STAGE', 'GREEN %', 'AGE']);
    const row = table.stdout
      .split('\n')
      .find((line) => line.startsWith(name))
      ?.split(/\s+/);
    expect(row?.slice(0, 4)).toEqual([name, 'shop', 'running', 'shift-traffic']);

    // It goes all the way, to the decommission gate, as one started through the API does.
    await promotion(follower, name, (p) => p.phase === 'waiting-approval');
    const atGate = (await kubectl(['get', 'promotion', name, '--no-headers'])).stdout.split(/\s+/);
    expect(atGate.slice(0, 5)).toEqual([name, 'shop', 'waiting-approval', 'decommission', '100']);

    const patchedAt = Date.now();
    await kubectl([
      'patch',
      'promotion',
      name,
      '--type',
      'merge',
      '-p',
      '{"spec":{"rollback":{"reason":"from git"}}}',
    ]);
    const first = await waitUntil(async () => weightWrites(proxy.calls, patchedAt)[0], 'the rollback write');
    figures.push(`rollback by kubectl patch: first weight write after ${first.at - patchedAt} ms`);
    const done = await promotion(follower, name, (p) => p.phase === 'rolled-back');
    expect(done.rollback?.reason).toBe('from git');
    await greenDeleted();
  });

  it('a leader frozen past its lease (SIGSTOP) does not act when it wakes: the new leader finishes', async () => {
    const { leader, follower } = await roles();
    const startedAt = Date.now();
    const id = await bakingAtTenPercent(follower);

    const frozen = running.get(leader.name);
    if (frozen === undefined) throw new Error(`${leader.name} is not running`);
    process.kill(frozen.pid, 'SIGSTOP');
    try {
      await leads(follower);
      await promotion(follower, id, (p) => p.traffic.green === 50);
    } finally {
      process.kill(frozen.pid, 'SIGCONT');
    }
    const done = await promotion(
      follower,
      id,
      (p) => p.phase === 'waiting-approval' || p.phase === 'rolled-back',
    );
    expect(done.phase, JSON.stringify(done.rollback)).toBe('waiting-approval');
    // The woken replica wrote no weight: each step reached Route 53 once, from whichever leader held it.
    expect(shares(startedAt)).toEqual([10, 50, 100]);
    expect(frozen.hasExited()).toBe(false);
    expect(await ha.holder()).toBe(follower.name);
    // Woken, it found its renew deadline passed and stepped down (a pass it had scheduled is skipped).
    await waitUntil(
      async () =>
        /"reason":"renew-deadline".*"msg":"stopped leading"/.test(readFileSync(frozen.logFile, 'utf8')),
      `${leader.name} to log that it stopped leading`,
    );
  });
});

/** Runs kubectl with optional standard input; rejects with its output when it fails. */
function runKubectl(binary: string, args: readonly string[], input?: string) {
  return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = execFile(binary, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
      else resolve({ stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}
