/**
 * Cluster health judged on what green's own control loops report: its controllers and scheduler run the
 * workloads, kwok's fake kubelets run (or fail) their pods and report the nodes. Faults are switched with
 * kwok's labels (test/env/faults.ts); nothing here writes a workload's or a node's status.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1DeploymentStrategy,
  type V1PodCondition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import type { CheckResult } from '../../src/domain/ports.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import {
  type ClusterHealthOptions,
  type ComponentSpec,
  createClusterHealth,
  type FoundationSpec,
} from '../../src/providers/kubernetes/health/index.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { nodeFaults, podFault, podFaults } from '../env/faults.js';
import { fakeNodeGroup } from '../env/kwok-nodes.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { failOnePod } from './support/pod-faults.js';
import { createPod, noMemoryOn, tooMuchMemory, unschedulableSince } from './support/scheduling.js';
import { createTestNode, nodeReadiness } from './support/test-nodes.js';
import { waitFor } from './support/wait-for.js';
import { daemonSetRolledOut, deploymentReported, deploymentRolledOut } from './support/workload-waits.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const coreDnsImage = 'registry.example/eks/coredns:v1.11.3-eksbuild.2';
/** The environment's fake nodes (the DaemonSets here run on those, not on nodes a test adds). */
const nodeGroupLabel = 'eks.amazonaws.com/nodegroup';
const fakeNodes = `${nodeGroupLabel}=${fakeNodeGroup}`;

describeWithServers('cluster health against kube-apiserver green', () => {
  const env = testEnvironment();
  const nodeCount = env.kubeNodes.green.length;
  const suffix = randomBytes(3).toString('hex');
  const nodeLabel = `switchyard.test/health-${suffix}`;
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const green = access({ name: 'green' });
  const core = green.makeApiClient(CoreV1Api);
  const apps = green.makeApiClient(AppsV1Api);
  const clusters = { green: { name: 'green' }, blue: { name: 'blue' }, targetVersion: '1.33' };

  const namespaces: string[] = [];
  afterAll(async () => {
    // Nodes are cluster-wide: remove ours so other tests' node counts stay as they were.
    await core.deleteCollectionNode({ labelSelector: nodeLabel });
    await Promise.all(namespaces.map((name) => core.deleteNamespace({ name })));
  });

  let namespaceCount = 0;
  async function freshNamespace(): Promise<string> {
    const namespace = `health-${suffix}-${++namespaceCount}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    namespaces.push(namespace);
    return namespace;
  }

  async function deployment(
    namespace: string,
    name: string,
    options: { image?: string; strategy?: V1DeploymentStrategy } = {},
  ): Promise<void> {
    const labels = { app: name };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          ...(options.strategy ? { strategy: options.strategy } : {}),
          template: {
            metadata: { labels },
            spec: { containers: [{ name, image: options.image ?? `registry.example/${name}:1.0` }] },
          },
        },
      },
    });
  }

  async function daemonSet(namespace: string, name: string): Promise<void> {
    const labels = { app: name };
    await apps.createNamespacedDaemonSet({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              nodeSelector: { [nodeGroupLabel]: fakeNodeGroup },
              containers: [{ name, image: `registry.example/${name}:1.0` }],
            },
          },
        },
      },
    });
  }

  const readPod = (namespace: string, name: string) => core.readNamespacedPod({ namespace, name });
  const isReady = (c: V1PodCondition) => c.type === 'Ready' && c.status === 'True';

  function health(spec: FoundationSpec, extra: Partial<ClusterHealthOptions> = {}) {
    return createClusterHealth({ access, foundation: spec, ...extra });
  }

  function byName(checks: readonly CheckResult[]): Record<string, CheckResult> {
    return Object.fromEntries(checks.map((c) => [c.name, c]));
  }

  const eksLike = (namespace: string, image = 'v1.11.3-eksbuild.2'): ComponentSpec[] => [
    { name: 'dns', kind: 'Deployment', namespace, workload: 'coredns', image },
    { name: 'cni', kind: 'DaemonSet', namespace, workload: 'aws-node' },
    { name: 'kube-proxy', kind: 'DaemonSet', namespace, workload: 'kube-proxy' },
  ];

  /** CoreDNS, the CNI and kube-proxy, each running and ready on the fake nodes. */
  async function healthyFoundation(namespace: string): Promise<void> {
    await deployment(namespace, 'coredns', { image: coreDnsImage });
    await daemonSet(namespace, 'aws-node');
    await daemonSet(namespace, 'kube-proxy');
    await Promise.all([
      deploymentRolledOut(apps, namespace, 'coredns'),
      daemonSetRolledOut(apps, namespace, 'aws-node'),
      daemonSetRolledOut(apps, namespace, 'kube-proxy'),
    ]);
  }

  it('passes a healthy foundation and merges the removed-API scan it was given', async () => {
    const namespace = await freshNamespace();
    await healthyFoundation(namespace);
    await createPod(core, namespace, 'fine');
    await waitFor(
      async () => (await readPod(namespace, 'fine')).status?.conditions?.some(isReady),
      `pod ${namespace}/fine to be Ready`,
    );
    const scans: unknown[] = [];
    const foundationHealth = health(
      {
        components: eksLike(namespace),
        nodes: { expectedReady: nodeCount, selector: fakeNodes },
        pods: { namespaces: [namespace] },
      },
      {
        scanRemovedApis: async (request) => {
          scans.push(request);
          return {
            checks: [{ name: 'removed-apis', verdict: 'pass', evidence: 'no removed APIs in use' }],
            warnings: ['flowcontrol.apiserver.k8s.io/v1beta3 is deprecated'],
          };
        },
      },
    );
    // Started while green is built; qualification then takes that scan's answer instead of another.
    foundationHealth.prepareQualification({ blue: clusters.blue, targetVersion: clusters.targetVersion });
    const qualification = await foundationHealth.qualifyFoundation(clusters);

    expect(qualification.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['component/dns', 'pass'],
      ['component/cni', 'pass'],
      ['component/kube-proxy', 'pass'],
      ['nodes', 'pass'],
      ['unscheduled-pods', 'pass'],
      ['pod-errors', 'pass'],
      ['removed-apis', 'pass'],
      ['apis-green-serves', 'pass'],
    ]);
    expect(qualification.verdict).toBe('pass');
    expect(qualification.warnings).toEqual(['flowcontrol.apiserver.k8s.io/v1beta3 is deprecated']);
    // The scan reads blue only: it is asked for blue and the target version, once.
    expect(scans).toEqual([{ blue: clusters.blue, targetVersion: clusters.targetVersion }]);
    const checks = byName(qualification.checks);
    expect(checks['component/dns']?.evidence).toBe(
      `Deployment ${namespace}/coredns: 2 ready, 2 available, 2 updated of 2 desired (need 2); ` +
        `image ${coreDnsImage} has "v1.11.3-eksbuild.2"`,
    );
    expect(checks['component/cni']?.evidence).toBe(
      `DaemonSet ${namespace}/aws-node: ${nodeCount} ready, ${nodeCount} scheduled, ${nodeCount} updated, ` +
        `0 unavailable of ${nodeCount} nodes`,
    );
    expect(checks.nodes?.evidence).toBe(
      `${nodeCount} of ${nodeCount} nodes matching "${fakeNodes}" ready, ${nodeCount} expected`,
    );
  });

  it('fails unready, missing and wrongly versioned components, naming each', async () => {
    const namespace = await freshNamespace();
    await healthyFoundation(namespace);
    // One CoreDNS replica, and the CNI's pod on one node, start crash-looping; kube-proxy stays healthy.
    await failOnePod(core, namespace, { app: 'coredns' }, podFaults.crashLoop);
    await failOnePod(core, namespace, { app: 'aws-node' }, podFaults.crashLoop);
    await deploymentReported(
      apps,
      namespace,
      'coredns',
      (s) => s.readyReplicas === 1 && s.availableReplicas === 1,
      'down to one ready replica',
    );
    await waitFor(async () => {
      const s = (await apps.readNamespacedDaemonSet({ namespace, name: 'aws-node' })).status;
      return s?.numberReady === nodeCount - 1 && s.numberUnavailable === 1;
    }, `DaemonSet ${namespace}/aws-node to be unready on one node`);
    const dnsSocket = createSocket('udp4');
    await new Promise<void>((resolve) => dnsSocket.bind(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      dnsSocket.close();
    });
    const silentDns = `127.0.0.1:${dnsSocket.address().port}`;
    const qualification = await health({
      components: [
        ...eksLike(namespace),
        { name: 'kube-proxy-version', kind: 'DaemonSet', namespace, workload: 'kube-proxy', image: 'v1.33' },
        {
          name: 'dns-from-here',
          kind: 'Deployment',
          namespace,
          workload: 'coredns',
          // A DNS server that never answers: the lookup cannot tell, so it does not fail on its own.
          dnsProbe: { host: 'kubernetes.default.svc.cluster.local', server: silentDns, timeoutMs: 200 },
        },
        { name: 'ingress', kind: 'Deployment', namespace, workload: 'aws-load-balancer-controller' },
        { name: 'autoscaler', kind: 'Deployment', namespace, workload: 'karpenter', optional: true },
      ],
      nodes: { expectedReady: 0, selector: `${nodeLabel}=none` },
      pods: { namespaces: [namespace] },
    }).qualifyFoundation(clusters);

    expect(qualification.verdict).toBe('fail');
    const checks = byName(qualification.checks);
    expect(checks['component/dns']).toEqual({
      name: 'component/dns',
      verdict: 'fail',
      evidence:
        `Deployment ${namespace}/coredns: 1 ready, 1 available, 2 updated of 2 desired (need 2); ` +
        `image ${coreDnsImage} has "v1.11.3-eksbuild.2"`,
    });
    expect(checks['component/cni']).toEqual({
      name: 'component/cni',
      verdict: 'fail',
      evidence:
        `DaemonSet ${namespace}/aws-node: ${nodeCount - 1} ready, ${nodeCount} scheduled, ` +
        `${nodeCount} updated, 1 unavailable of ${nodeCount} nodes; must be ready on every node`,
    });
    expect(checks['component/kube-proxy']?.verdict).toBe('pass');
    expect(checks['component/kube-proxy-version']).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining(
        'expected an image with "v1.33", found kube-proxy=registry.example/kube-proxy:1.0',
      ),
    });
    expect(checks['component/ingress']).toEqual({
      name: 'component/ingress',
      verdict: 'fail',
      evidence: `Deployment ${namespace}/aws-load-balancer-controller not found`,
    });
    expect(checks['component/autoscaler']?.verdict).toBe('pass');
    expect(checks['dns-lookup/dns-from-here']).toMatchObject({
      verdict: 'inconclusive',
      evidence: expect.stringContaining(
        `kubernetes.default.svc.cluster.local did not resolve via ${silentDns}`,
      ),
    });
  });

  it('is inconclusive while a component is still rolling out, and passes once it has', async () => {
    const namespace = await freshNamespace();
    // One replica may be down during a rollout and none may be added: a new pod that cannot start
    // leaves the Deployment one ready replica short, its rollout in progress.
    await deployment(namespace, 'coredns', {
      image: coreDnsImage,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    });
    await deploymentRolledOut(apps, namespace, 'coredns');
    const spec: FoundationSpec = {
      components: [{ name: 'dns', kind: 'Deployment', namespace, workload: 'coredns' }],
      nodes: { expectedReady: 0, selector: `${nodeLabel}=none` },
      pods: { namespaces: [namespace] },
    };
    // The new version's pod waits for a node that is not there (yet): not a failure, not done either.
    const placement = (nodeSelector: Record<string, string> | null) =>
      apps.patchNamespacedDeployment(
        { name: 'coredns', namespace, body: { spec: { template: { spec: { nodeSelector } } } } },
        mergePatch,
      );
    await placement({ 'node.kubernetes.io/instance-type': 'm7i.large' });
    await deploymentReported(
      apps,
      namespace,
      'coredns',
      (s) => s.updatedReplicas === 1 && s.readyReplicas === 1 && s.availableReplicas === 1,
      'stuck with one new replica',
    );
    const during = await health(spec).qualifyFoundation(clusters);
    expect(during.verdict).toBe('inconclusive');
    expect(byName(during.checks)['component/dns']).toEqual({
      name: 'component/dns',
      verdict: 'inconclusive',
      evidence:
        `Deployment ${namespace}/coredns: 1 ready, 1 available, 1 updated of 2 desired (need 2); ` +
        'rollout in progress',
    });

    // The version is taken back: the Deployment returns to its previous pods, all ready.
    await placement(null);
    const after = await waitFor(async () => {
      const q = await health(spec).qualifyFoundation(clusters);
      return q.verdict === 'pass' && q;
    }, `the Deployment ${namespace}/coredns to qualify again`);
    expect(byName(after.checks)['component/dns']?.evidence).toBe(
      `Deployment ${namespace}/coredns: 2 ready, 2 available, 2 updated of 2 desired (need 2)`,
    );
  });

  // A pod waiting for capacity for longer than this fails the foundation; the pod that does is created
  // when the file starts, so that its wait mostly overlaps the tests before the one judging it.
  const unschedulableGraceMs = 8_000;
  let stuckNamespace = '';
  beforeAll(async () => {
    stuckNamespace = await freshNamespace();
    await createPod(core, stuckNamespace, 'stuck', { memory: tooMuchMemory });
  });

  it('fails on crash-looping and long-unschedulable pods, waits on freshly unschedulable ones', async () => {
    const namespace = stuckNamespace;
    const spec = (namespaces: string[]): FoundationSpec => ({
      components: [],
      nodes: { expectedReady: 0, selector: `${nodeLabel}=none` },
      pods: { namespaces, unschedulableGraceMs },
    });
    await createPod(core, namespace, 'crashing', { labels: podFault(podFaults.crashLoop) });
    await waitFor(async () => {
      const status = (await readPod(namespace, 'crashing')).status?.containerStatuses?.[0];
      return status?.state?.waiting?.reason === 'CrashLoopBackOff';
    }, `pod ${namespace}/crashing to crash-loop`);
    // Judged only once it has been unschedulable for longer than the grace.
    const stuckSince = await unschedulableSince(core, namespace, 'stuck');
    const waitMs = stuckSince + unschedulableGraceMs - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));

    const first = await health(spec([namespace])).qualifyFoundation(clusters);
    expect(first.verdict).toBe('fail');
    expect(byName(first.checks)['pod-errors']).toEqual({
      name: 'pod-errors',
      verdict: 'fail',
      evidence: expect.stringMatching(
        new RegExp(
          `^1 failing container in namespaces ${namespace}: ${namespace}/crashing container app: ` +
            `CrashLoopBackOff \\(back-off restarting failed container=app pod=crashing_${namespace}\\), ` +
            '\\d+ restarts?$',
        ),
      ),
    });
    expect(byName(first.checks)['unscheduled-pods']).toEqual({
      name: 'unscheduled-pods',
      verdict: 'fail',
      evidence: expect.stringMatching(
        new RegExp(
          `^1 pod unschedulable in namespaces ${namespace}: ${namespace}/stuck: ${noMemoryOn(nodeCount)}`,
        ),
      ),
    });

    const fresh = await freshNamespace();
    await createPod(core, fresh, 'waiting', { memory: tooMuchMemory });
    await unschedulableSince(core, fresh, 'waiting');
    const second = await health(spec([fresh])).qualifyFoundation(clusters);
    expect(second.verdict).toBe('inconclusive');
    expect(byName(second.checks)['unscheduled-pods']).toEqual({
      name: 'unscheduled-pods',
      verdict: 'inconclusive',
      evidence: expect.stringMatching(
        new RegExp(
          `^1 pod recently unschedulable in namespaces ${fresh}: ${fresh}/waiting: ${noMemoryOn(nodeCount)}.* \\(for \\d s\\)$`,
        ),
      ),
    });
  });

  // Memory, disk and PID pressure are judged in the unit tests: kwok's stages have no pressure fault.
  it('judges nodes: NotReady and missing Ready nodes fail, unreported ones are inconclusive', async () => {
    onTestFinished(async () => {
      await core.deleteCollectionNode({ labelSelector: nodeLabel });
    });
    const pool = (name: string) => ({ [nodeLabel]: name });
    await createTestNode(core, `short-a-${suffix}`, { labels: pool('short') });
    await createTestNode(core, `short-b-${suffix}`, { labels: pool('short'), fault: nodeFaults.notReady });
    await createTestNode(core, `joining-a-${suffix}`, { labels: pool('joining') });
    await createTestNode(core, `joining-b-${suffix}`, { labels: pool('joining'), kubelet: false });
    await waitFor(async () => {
      const states = await Promise.all(
        ['short-a', 'short-b', 'joining-a'].map((name) => nodeReadiness(core, `${name}-${suffix}`)),
      );
      return states.join() === 'True,False,True';
    }, 'kwok to report the test nodes Ready, NotReady and Ready');
    const nodesCheck = async (pool: string, expectedReady: number) => {
      const spec: FoundationSpec = {
        components: [],
        nodes: { expectedReady, selector: `${nodeLabel}=${pool}` },
        pods: { namespaces: [] },
      };
      return byName((await health(spec).qualifyFoundation(clusters)).checks).nodes;
    };

    expect(await nodesCheck('short', 2)).toEqual({
      name: 'nodes',
      verdict: 'fail',
      evidence: expect.stringMatching(
        new RegExp(
          `^1 of 2 nodes matching "${nodeLabel}=short" ready, 2 expected; ` +
            `not ready: short-b-${suffix} Ready=False \\(KubeletNotReady: [^)]+\\)$`,
        ),
      ),
    });
    expect(await nodesCheck('joining', 2)).toEqual({
      name: 'nodes',
      verdict: 'inconclusive',
      evidence: `1 of 2 nodes matching "${nodeLabel}=joining" ready, 2 expected; no status yet: joining-b-${suffix}`,
    });
    expect((await nodesCheck('joining', 1))?.verdict).toBe('pass');
  });
});
