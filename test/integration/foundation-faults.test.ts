/**
 * Foundation qualification judges real pod and node state: green runs the foundation software a new EKS
 * cluster runs (plus an ingress controller and an autoscaler) as real objects, its controllers make the
 * pods, its scheduler places them on the kwok nodes and kwok runs them. Each test breaks one thing the
 * way production breaks it, shows the check that names it, and puts it back.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, expect, it, onTestFinished } from 'vitest';
import type { CheckResult, Qualification } from '../../src/domain/ports.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { createClusterHealth, type FoundationSpec } from '../../src/providers/kubernetes/health/index.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { nodeFaultLabel, nodeFaults, podFaults } from '../env/faults.js';
import { addUnschedulablePod, failPods, stallRollout } from '../env/world-faults.js';
import { foundationWorkloads, seedFoundation } from '../env/world-kube.js';
import { describeWithServers, testEnvironment } from './environment.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
// Generous: both clusters' control planes share two CPU cores with the rest of the run.
const settle = { timeout: 30_000, interval: 250 };

describeWithServers("green's foundation qualified on real pods and nodes", () => {
  const env = testEnvironment();
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const green = access({ name: 'green' });
  const core = green.makeApiClient(CoreV1Api);
  const minor = env.kubeVersions.green.split('.').slice(0, 2).join('.');
  const foundation: FoundationSpec = {
    components: foundationWorkloads.map(({ name, kind, workload }) => ({
      name,
      kind,
      namespace: 'kube-system',
      workload,
    })),
    nodes: { expectedReady: env.kubeNodes.green.length, selector: 'eks.amazonaws.com/nodegroup=general' },
    // A pod waiting for capacity is given 2 s here (5 min by default) before it fails the foundation.
    pods: { namespaces: ['kube-system'], unschedulableGraceMs: 2_000 },
  };
  const health = createClusterHealth({ access, foundation });
  const qualify = () =>
    health.qualifyFoundation({ green: { name: 'green' }, blue: { name: 'blue' }, targetVersion: minor });
  const check = (q: Qualification, name: string): CheckResult | undefined =>
    q.checks.find((c) => c.name === name);
  const describeChecks = (q: Qualification) =>
    q.checks.map((c) => `${c.name} ${c.verdict}: ${c.evidence}`).join('\n');

  /** Qualifies again until `verdict` (and `what`) hold; the last qualification in the error otherwise. */
  async function untilQualified(verdict: 'pass' | 'fail', what: (q: Qualification) => boolean = () => true) {
    const deadline = Date.now() + settle.timeout;
    for (;;) {
      const last = await qualify();
      if (last.verdict === verdict && what(last)) return last;
      if (Date.now() > deadline)
        throw new Error(`foundation never reached ${verdict}:\n${describeChecks(last)}`);
      await new Promise((resolve) => setTimeout(resolve, settle.interval));
    }
  }

  beforeAll(async () => {
    await seedFoundation(green, minor);
    const healthy = await untilQualified('pass');
    expect(check(healthy, 'nodes')?.evidence).toBe(
      `${env.kubeNodes.green.length} of ${env.kubeNodes.green.length} nodes matching "eks.amazonaws.com/nodegroup=general" ready, ${env.kubeNodes.green.length} expected`,
    );
  }, 60_000);

  it('passes with every component running its pods on every node', async () => {
    const q = await qualify();
    expect(q.verdict, describeChecks(q)).toBe('pass');
    expect(q.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        ...foundationWorkloads.map((w) => `component/${w.name}`),
        'nodes',
        'unscheduled-pods',
        'pod-errors',
      ]),
    );
  });

  it('fails on crash-looping CoreDNS, naming its pods and the reason', async () => {
    await failPods(green, 'kube-system', 'coredns', podFaults.crashLoop);
    onTestFinished(async () => {
      await failPods(green, 'kube-system', 'coredns', null);
      await untilQualified('pass');
    });
    const q = await untilQualified('fail', (q) => check(q, 'pod-errors')?.verdict === 'fail');
    expect(check(q, 'pod-errors')?.evidence).toMatch(
      /kube-system\/coredns-[\w-]+ container coredns: CrashLoopBackOff/,
    );
    await untilQualified('fail', (q) => check(q, 'component/dns')?.verdict === 'fail');
  });

  it('fails when a DaemonSet rollout leaves one pod Pending on its node (image pull), naming it', async () => {
    await stallRollout(green, 'kube-system', 'aws-node', podFaults.imagePull, 'DaemonSet');
    onTestFinished(async () => {
      await stallRollout(green, 'kube-system', 'aws-node', null, 'DaemonSet');
      await untilQualified('pass');
    });
    // The component is mid-rollout (not yet judged); the failing pod fails the foundation and is named.
    const q = await untilQualified('fail', (q) => /aws-node/.test(check(q, 'pod-errors')?.evidence ?? ''));
    const failing = (
      await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=aws-node' })
    ).items.filter((pod) => pod.status?.containerStatuses?.some((c) => c.ready !== true));
    expect(failing).toHaveLength(1);
    expect(check(q, 'component/cni')).toMatchObject({
      verdict: 'inconclusive',
      evidence: expect.stringMatching(/DaemonSet kube-system\/aws-node: 2 ready, .*1 unavailable of 3 nodes/),
    });
    expect(check(q, 'pod-errors')?.evidence).toContain(
      `kube-system/${failing[0]?.metadata?.name} container aws-node: `,
    );
    expect(check(q, 'pod-errors')?.evidence).toMatch(/ErrImagePull|ImagePullBackOff/);
  });

  it('fails when a node goes NotReady, naming the node', async () => {
    const node = env.kubeNodes.green.at(-1) as string;
    const label = (value: string | null) => ({ metadata: { labels: { [nodeFaultLabel]: value } } });
    await core.patchNode({ name: node, body: label(nodeFaults.notReady) }, mergePatch);
    onTestFinished(async () => {
      await core.patchNode({ name: node, body: label(null) }, mergePatch);
      await untilQualified('pass', (q) => check(q, 'nodes')?.verdict === 'pass');
    });
    const q = await untilQualified('fail', (q) => check(q, 'nodes')?.verdict === 'fail');
    expect(check(q, 'nodes')?.evidence).toContain(`not ready: ${node} Ready=False`);
  });

  it('waits on a pod that cannot be scheduled, then fails once it is past its grace', async () => {
    const remove = await addUnschedulablePod(green, 'kube-system', 'needs-a-gpu');
    onTestFinished(remove);
    // The same cluster judged with a grace of an hour: the pod is "not yet", never a failure.
    const patient = createClusterHealth({
      access,
      foundation: { ...foundation, pods: { namespaces: ['kube-system'], unschedulableGraceMs: 3_600_000 } },
    });
    let early: Qualification | undefined;
    await expect
      .poll(async () => {
        early = await patient.qualifyFoundation({
          green: { name: 'green' },
          blue: { name: 'blue' },
          targetVersion: minor,
        });
        return check(early, 'unscheduled-pods')?.verdict;
      }, settle)
      .toBe('inconclusive');
    expect(check(early as Qualification, 'unscheduled-pods')?.evidence).toContain('kube-system/needs-a-gpu');
    expect(early?.verdict).toBe('inconclusive');
    // With the 2 s grace, the same pod fails the foundation once it has waited longer.
    const q = await untilQualified('fail', (q) => check(q, 'unscheduled-pods')?.verdict === 'fail');
    expect(check(q, 'unscheduled-pods')?.evidence).toContain('kube-system/needs-a-gpu');
  });
});
