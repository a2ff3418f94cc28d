/**
 * A platform's life: upgrade after upgrade with the same, unchanged platform file. Each success moves
 * the live slot; a rollback or an abandon leaves it; the old cluster of each success is deleted and its
 * slot reused by the next promotion. Checked against what moto holds, read with the SDK.
 */

import { DescribeClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks';
import { DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { AppsV1Api } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { failPods } from '../env/world-faults.js';
import { describeWithServers, motoClients, testEnvironment } from '../integration/environment.js';
import { type Json, useE2E } from './support.js';

describeWithServers('platform lifecycle: successive promotions alternate slots', () => {
  const e2e = useE2E({
    shape: 'slots',
    kubeVersion: '1.33',
    platform: { steps: [10, 50, 100].map((green) => ({ green, bake: '1s' })) },
  });
  const aws = motoClients();

  const admin = () => e2e.world.tokens.admin;
  const clusters = async () => ((await aws.eks.send(new ListClustersCommand({}))).clusters ?? []).sort();
  const versionOf = async (name: string) =>
    (await aws.eks.send(new DescribeClusterCommand({ name }))).cluster?.version;
  const shopWeights = async () => {
    const records = await aws.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: e2e.world.aws.hostedZoneId }),
    );
    return Object.fromEntries(
      (records.ResourceRecordSets ?? [])
        .filter((r) => r.Name === 'shop.example.test.')
        .map((r) => [r.SetIdentifier ?? 'simple', r.Weight]),
    );
  };
  const paymentsWeights = async () => {
    const listener = await aws.elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [e2e.world.aws.listenerArn] }),
    );
    const groups = listener.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? [];
    const weight = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
    return { a: weight(e2e.world.aws.blueTargetGroupArn), b: weight(e2e.world.aws.greenTargetGroupArn) };
  };
  async function untilUnavailable(context: 'blue' | 'green', namespace: string): Promise<void> {
    const apps = loadKubeConfig({ path: testEnvironment().kubeconfigPath, context }).makeApiClient(AppsV1Api);
    for (let i = 0; i < 100; i++) {
      const web = await apps.readNamespacedDeployment({ name: 'web', namespace });
      if ((web.status?.availableReplicas ?? 0) < (web.spec?.replicas ?? 1)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`web in ${namespace} on ${context} never became unavailable`);
  }
  const live = async (platform: string): Promise<Json> =>
    (await e2e.api('GET', `/v1/platforms/${platform}`)).body.live;

  async function promote(platform: string, to: string): Promise<string> {
    const started = await e2e.cli(['promote', platform, '--to', to, '--output', 'json']);
    expect(started.code, started.stderr).toBe(0);
    return JSON.parse(started.stdout).id as string;
  }

  /** Promotes to the end: traffic at 100 %, decommission approved by an admin, blue deleted. */
  async function promoteToEnd(platform: string, to: string): Promise<Json> {
    const id = await promote(platform, to);
    const waiting = await e2e.waitFor(id, (p) => p.phase !== 'running');
    expect(waiting.phase, JSON.stringify(waiting.stages[waiting.currentStage])).toBe('waiting-approval');
    const approved = await e2e.cli(['approve', id, '--gate', 'decommission'], admin());
    expect(approved.code, approved.stderr).toBe(0);
    return e2e.waitFor(id, (p) => p.phase === 'succeeded');
  }

  // The two platforms are independent: their lives run side by side.
  it.concurrent('Route 53: 1.33 → 1.34 → (abandoned, torn down) → 1.35 → 1.36, each verified in moto', async () => {
    expect(await live('shop')).toMatchObject({ slot: 'a', cluster: 'shop-a' });

    // Refused up front, with the field named: not newer, too far, not offered.
    for (const to of ['1.33', '1.35', '1.40']) {
      const refused = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: to });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.issues[0].path).toBe('body.targetVersion');
      const plan = await e2e.api('POST', '/v1/platforms/shop/plan', { targetVersion: to });
      expect(plan.status).toBe(400);
    }

    // 1: a → b.
    const first = await promoteToEnd('shop', '1.34');
    expect(first).toMatchObject({
      blue: { name: 'shop-a', slot: 'a' },
      green: { name: 'shop-b', slot: 'b' },
    });
    expect(await shopWeights()).toEqual({ 'shop-a': 0, 'shop-b': 100 });
    expect((await clusters()).filter((c) => c.startsWith('shop'))).toEqual(['shop-b']);
    expect(await versionOf('shop-b')).toBe('1.34');
    expect(await live('shop')).toMatchObject({
      slot: 'b',
      cluster: 'shop-b',
      version: '1.34',
      promotionId: first.id,
    });
    const platforms = await e2e.cli(['platforms']);
    expect(platforms.stdout).toMatch(/shop\s+route53\s+b: shop-b \(1\.34\)/);

    // 2: b → a with the unchanged file; live blue's services break mid-shift, the rollback cannot move
    // traffic back to a side that does not serve, and an admin abandons it. Nothing in AWS changes.
    const second = await promote('shop', '1.35');
    const mid = await e2e.waitFor(second, (p) => p.traffic.green >= 10);
    expect(mid).toMatchObject({ blue: { name: 'shop-b', slot: 'b' }, green: { name: 'shop-a', slot: 'a' } });
    // Slot b (the live blue) is the "green" apiserver: its web pods crash-loop until its Deployment
    // controller reports web unavailable there, so the rollback meets a blue that cannot serve.
    await failPods(e2e.world.kube.green, e2e.world.names.namespaces.shop, 'web');
    await untilUnavailable('green', e2e.world.names.namespaces.shop);
    expect((await e2e.cli(['rollback', 'shop', '--reason', 'latency on green'])).code).toBe(0);
    await e2e.waitFor(second, (p) => /waiting for blue to be ready/.test(p.rollback?.message ?? ''));
    const weightsBefore = await shopWeights();
    expect((await e2e.cli(['abandon', 'shop', '--reason', 'blue lost its services'])).code).toBe(3);
    const abandoned = await e2e.cli(['abandon', 'shop', '--reason', 'blue lost its services'], admin());
    expect(abandoned.code, abandoned.stderr).toBe(0);
    expect((await e2e.api('GET', `/v1/promotions/${second}`)).body).toMatchObject({ phase: 'abandoned' });
    expect(await shopWeights()).toEqual(weightsBefore);
    expect(await live('shop')).toMatchObject({ slot: 'b', cluster: 'shop-b' });
    await failPods(e2e.world.kube.green, e2e.world.names.namespaces.shop, 'web', null);

    // The abandoned promotion's cluster still sits in slot a: a new promotion is refused with the fix.
    const blocked = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.35' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toContain(`switchyard teardown ${second}`);
    const torn = await e2e.cli(['teardown', second], admin());
    expect(torn.code, torn.stderr).toBe(0);
    const cleaned = await e2e.waitFor(second, (p) => p.rollback?.step === 'done' && p.phase === 'abandoned');
    expect(cleaned.rollback.message).toMatch(/green cluster shop-a deleted/);
    expect(await shopWeights()).toEqual({ 'shop-a': 0, 'shop-b': 100 });
    expect((await clusters()).filter((c) => c.startsWith('shop'))).toEqual(['shop-b']);

    // 3: b → a again, now through to the end; slot a's cluster is created anew.
    const third = await promoteToEnd('shop', '1.35');
    expect(third).toMatchObject({
      fromVersion: '1.34',
      blue: { slot: 'b' },
      green: { name: 'shop-a', slot: 'a' },
    });
    expect(await shopWeights()).toEqual({ 'shop-a': 100, 'shop-b': 0 });
    expect((await clusters()).filter((c) => c.startsWith('shop'))).toEqual(['shop-a']);
    expect(await versionOf('shop-a')).toBe('1.35');

    // 4: a → b.
    const fourth = await promoteToEnd('shop', '1.36');
    expect(fourth).toMatchObject({ blue: { name: 'shop-a' }, green: { name: 'shop-b', slot: 'b' } });
    expect(await shopWeights()).toEqual({ 'shop-a': 0, 'shop-b': 100 });
    expect((await clusters()).filter((c) => c.startsWith('shop'))).toEqual(['shop-b']);
    expect(await live('shop')).toMatchObject({ slot: 'b', version: '1.36', promotionId: fourth.id });
    // One minor ahead, but a version EKS does not offer (the sandbox's EKS stops at 1.36).
    const unknown = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.37' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/EKS does not offer Kubernetes 1\.37/);
  });

  it.concurrent('ALB: 1.33 → 1.34, a rolled-back 1.35 that leaves the live slot, then 1.35 and 1.36', async () => {
    const first = await promoteToEnd('payments', '1.34');
    expect(first.green).toMatchObject({ name: 'payments-b', slot: 'b' });
    expect(await paymentsWeights()).toEqual({ a: 0, b: 999 });

    const second = await promote('payments', '1.35');
    await e2e.waitFor(second, (p) => p.traffic.green >= 10);
    expect(await paymentsWeights()).not.toEqual({ a: 0, b: 999 });
    const rollback = await e2e.api('POST', `/v1/promotions/${second}/rollback`, {
      reason: 'test',
      green: 'teardown',
    });
    expect(rollback.status).toBe(200);
    const rolledBack = await e2e.waitFor(second, (p) => p.phase === 'rolled-back');
    expect(rolledBack.rollback.message).toMatch(/green cluster payments-a deleted/);
    expect(await paymentsWeights()).toEqual({ a: 0, b: 999 });
    expect(await live('payments')).toMatchObject({ slot: 'b', cluster: 'payments-b', promotionId: first.id });

    const third = await promoteToEnd('payments', '1.35');
    expect(third.green).toMatchObject({ name: 'payments-a', slot: 'a' });
    expect(await paymentsWeights()).toEqual({ a: 999, b: 0 });
    const fourth = await promoteToEnd('payments', '1.36');
    expect(fourth.green).toMatchObject({ name: 'payments-b', slot: 'b' });
    expect(await paymentsWeights()).toEqual({ a: 0, b: 999 });
    expect((await clusters()).filter((c) => c.startsWith('payments'))).toEqual(['payments-b']);
    expect(await versionOf('payments-b')).toBe('1.36');
  });
});
