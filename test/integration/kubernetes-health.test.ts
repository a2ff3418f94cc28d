import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
} from '@kubernetes/client-node';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import type { CheckResult } from '../../src/domain/ports.js';
import type { ClusterRef } from '../../src/domain/promotion.js';
import {
  type ClusterHealthOptions,
  type ComponentSpec,
  createClusterHealth,
  type FoundationSpec,
} from '../../src/providers/kubernetes/health/index.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { describeWithServers, testEnvironment } from './environment.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const coreDnsImage = 'registry.example/eks/coredns:v1.11.3-eksbuild.2';

describeWithServers('cluster health against kube-apiserver green', () => {
  const env = testEnvironment();
  const suffix = randomBytes(3).toString('hex');
  const nodeLabel = `switchyard.test/health-${suffix}`;
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const green = access({ name: 'green' });
  const core = green.makeApiClient(CoreV1Api);
  const apps = green.makeApiClient(AppsV1Api);
  const clusters = { green: { name: 'green' }, blue: { name: 'blue' }, targetVersion: '1.33' };

  afterAll(async () => {
    // Nodes are cluster-wide: remove ours so other tests' node counts stay as they were.
    await core.deleteCollectionNode({ labelSelector: nodeLabel });
  });

  let namespaceCount = 0;
  async function freshNamespace(): Promise<string> {
    const namespace = `health-${suffix}-${++namespaceCount}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    return namespace;
  }

  const containers = (name: string, image: string): V1Container[] => [{ name, image }];

  async function deployment(
    namespace: string,
    name: string,
    options: { replicas?: number; image?: string; status?: Record<string, unknown> } = {},
  ): Promise<void> {
    const labels = { app: name };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          replicas: options.replicas ?? 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: containers(name, options.image ?? `registry.example/${name}:1.0`) },
          },
        },
      },
    });
    if (options.status) {
      await apps.patchNamespacedDeploymentStatus(
        { name, namespace, body: { status: options.status } },
        mergePatch,
      );
    }
  }

  const readyDeployment = (replicas: number) => ({
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  });

  async function daemonSet(namespace: string, name: string, status: Record<string, number>): Promise<void> {
    const labels = { app: name };
    await apps.createNamespacedDaemonSet({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: containers(name, `registry.example/${name}:1.0`) },
          },
        },
      },
    });
    const full = {
      observedGeneration: 1,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      numberReady: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
      ...status,
    };
    await apps.patchNamespacedDaemonSetStatus({ name, namespace, body: { status: full } }, mergePatch);
  }

  /** A Node in pool `pool` with the given condition statuses (none at all: it has not reported yet). */
  async function node(pool: string, name: string, conditions: Record<string, string>): Promise<void> {
    const fullName = `${name}-${suffix}`;
    await core.createNode({ body: { metadata: { name: fullName, labels: { [nodeLabel]: pool } } } });
    const list = Object.entries(conditions).map(([type, status]) => ({
      type,
      status,
      reason: `Kubelet${type}${status}`,
      lastHeartbeatTime: new Date().toISOString(),
      lastTransitionTime: minutesAgo(10),
    }));
    if (list.length > 0) {
      await core.patchNodeStatus({ name: fullName, body: { status: { conditions: list } } }, mergePatch);
    }
  }
  const healthyNode = { Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' };

  async function pod(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, namespace },
        spec: { containers: containers('app', 'registry.example/app:1.0') },
      },
    });
    await core.patchNamespacedPodStatus({ name, namespace, body: { status } }, mergePatch);
  }

  const appStatus = (fields: Record<string, unknown>) => ({
    name: 'app',
    image: 'registry.example/app:1.0',
    imageID: '',
    ready: false,
    restartCount: 0,
    ...fields,
  });

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

  async function healthyFoundation(namespace: string): Promise<void> {
    await deployment(namespace, 'coredns', { image: coreDnsImage, status: readyDeployment(2) });
    await daemonSet(namespace, 'aws-node', {});
    await daemonSet(namespace, 'kube-proxy', {});
  }

  it('passes a healthy foundation and merges the removed-API scan it was given', async () => {
    const namespace = await freshNamespace();
    await healthyFoundation(namespace);
    await node('healthy', 'healthy-a', healthyNode);
    await node('healthy', 'healthy-b', healthyNode);
    await pod(namespace, 'fine', { phase: 'Running', containerStatuses: [appStatus({ ready: true })] });
    const scans: unknown[] = [];
    const qualification = await health(
      {
        components: eksLike(namespace),
        nodes: { expectedReady: 2, selector: `${nodeLabel}=healthy` },
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
    ).qualifyFoundation(clusters);

    expect(qualification.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['component/dns', 'pass'],
      ['component/cni', 'pass'],
      ['component/kube-proxy', 'pass'],
      ['nodes', 'pass'],
      ['unscheduled-pods', 'pass'],
      ['pod-errors', 'pass'],
      ['removed-apis', 'pass'],
    ]);
    expect(qualification.verdict).toBe('pass');
    expect(qualification.warnings).toEqual(['flowcontrol.apiserver.k8s.io/v1beta3 is deprecated']);
    // The scan reads blue only: it is asked for blue and the target version.
    expect(scans).toEqual([{ blue: clusters.blue, targetVersion: clusters.targetVersion }]);
    const checks = byName(qualification.checks);
    expect(checks['component/dns']?.evidence).toBe(
      `Deployment ${namespace}/coredns: 2 ready, 2 available, 2 updated of 2 desired (need 2); ` +
        `image ${coreDnsImage} has "v1.11.3-eksbuild.2"`,
    );
    expect(checks.nodes?.evidence).toBe(`2 of 2 nodes matching "${nodeLabel}=healthy" ready, 2 expected`);
  });

  it('fails unready, missing and wrongly versioned components, naming each', async () => {
    const namespace = await freshNamespace();
    await deployment(namespace, 'coredns', {
      image: coreDnsImage,
      status: { ...readyDeployment(2), readyReplicas: 1, availableReplicas: 1 },
    });
    await daemonSet(namespace, 'aws-node', { currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2 });
    await daemonSet(namespace, 'kube-proxy', {});
    await deployment(namespace, 'metrics-server', { image: 'registry.example/metrics-server:v0.7.1' });
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
        { name: 'metrics', kind: 'Deployment', namespace, workload: 'metrics-server' },
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
    expect(checks['component/cni']).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining(`DaemonSet ${namespace}/aws-node: 2 ready, 2 scheduled`),
    });
    expect(checks['component/cni']?.evidence).toContain('1 node(s) have no pod of it');
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
    // Created but the (absent) controller never reported on it: not yet known.
    expect(checks['component/metrics']).toEqual({
      name: 'component/metrics',
      verdict: 'inconclusive',
      evidence: `Deployment ${namespace}/metrics-server: no status reported yet`,
    });
  });

  it('is inconclusive while a component has not reported status, and passes once it has', async () => {
    const namespace = await freshNamespace();
    await deployment(namespace, 'coredns', { image: coreDnsImage });
    const spec: FoundationSpec = {
      components: [{ name: 'dns', kind: 'Deployment', namespace, workload: 'coredns' }],
      nodes: { expectedReady: 0, selector: `${nodeLabel}=none` },
      pods: { namespaces: [namespace] },
    };
    const before = await health(spec).qualifyFoundation(clusters);
    expect(before.verdict).toBe('inconclusive');
    await apps.patchNamespacedDeploymentStatus(
      { name: 'coredns', namespace, body: { status: readyDeployment(2) } },
      mergePatch,
    );
    expect((await health(spec).qualifyFoundation(clusters)).verdict).toBe('pass');
  });

  it('judges nodes: pressure and missing Ready nodes fail, unreported ones are inconclusive', async () => {
    await node('pressure', 'pressure-a', healthyNode);
    await node('pressure', 'pressure-b', { ...healthyNode, DiskPressure: 'True' });
    await node('short', 'short-a', healthyNode);
    await node('short', 'short-b', { ...healthyNode, Ready: 'False' });
    await node('joining', 'joining-a', healthyNode);
    await node('joining', 'joining-b', {});
    const nodesCheck = async (pool: string, expectedReady: number) => {
      const spec: FoundationSpec = {
        components: [],
        nodes: { expectedReady, selector: `${nodeLabel}=${pool}` },
        pods: { namespaces: [] },
      };
      return byName((await health(spec).qualifyFoundation(clusters)).checks).nodes;
    };

    expect(await nodesCheck('pressure', 1)).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining(`under pressure: pressure-b-${suffix} (DiskPressure)`),
    });
    expect(await nodesCheck('short', 2)).toMatchObject({
      verdict: 'fail',
      evidence: `1 of 2 nodes matching "${nodeLabel}=short" ready, 2 expected; not ready: short-b-${suffix} Ready=False (KubeletReadyFalse)`,
    });
    expect(await nodesCheck('joining', 2)).toMatchObject({
      verdict: 'inconclusive',
      evidence: expect.stringContaining(`no status yet: joining-b-${suffix}`),
    });
    expect((await nodesCheck('joining', 1))?.verdict).toBe('pass');
  });

  it('fails on crash-looping and long-unschedulable pods, waits on freshly unschedulable ones', async () => {
    const namespace = await freshNamespace();
    await pod(namespace, 'crashing', {
      phase: 'Running',
      containerStatuses: [
        appStatus({
          restartCount: 7,
          state: {
            waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
          },
          lastState: {
            terminated: { exitCode: 1, reason: 'Error', startedAt: minutesAgo(3), finishedAt: minutesAgo(2) },
          },
        }),
      ],
    });
    const unschedulable = (since: string) => ({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient memory.',
          lastTransitionTime: since,
        },
      ],
    });
    await pod(namespace, 'stuck', unschedulable(minutesAgo(30)));
    const spec = (namespaces: string[]): FoundationSpec => ({
      components: [],
      nodes: { expectedReady: 0, selector: `${nodeLabel}=none` },
      pods: { namespaces },
    });

    const first = await health(spec([namespace])).qualifyFoundation(clusters);
    expect(first.verdict).toBe('fail');
    expect(byName(first.checks)['pod-errors']).toEqual({
      name: 'pod-errors',
      verdict: 'fail',
      evidence:
        `1 failing container in namespaces ${namespace}: ${namespace}/crashing container app: ` +
        'CrashLoopBackOff (back-off 5m0s restarting failed container), 7 restarts',
    });
    expect(byName(first.checks)['unscheduled-pods']).toEqual({
      name: 'unscheduled-pods',
      verdict: 'fail',
      evidence: `1 pod unschedulable in namespaces ${namespace}: ${namespace}/stuck: 0/3 nodes are available: 3 Insufficient memory.`,
    });

    const fresh = await freshNamespace();
    await pod(fresh, 'waiting', unschedulable(new Date().toISOString()));
    const second = await health(spec([fresh])).qualifyFoundation(clusters);
    expect(second.verdict).toBe('inconclusive');
    expect(byName(second.checks)['unscheduled-pods']?.verdict).toBe('inconclusive');
  });
});
