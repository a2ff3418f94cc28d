import type { V1ContainerStatus, V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { judgeNodes } from '../../../src/providers/kubernetes/health/nodes.js';
import { judgePodErrors } from '../../../src/providers/kubernetes/health/pod-errors.js';
import { resolvePodActivity } from '../../../src/providers/kubernetes/health/spec.js';
import { judgeServing, judgeTrafficReadiness } from '../../../src/providers/kubernetes/health/traffic.js';
import { judgeUnscheduledPods } from '../../../src/providers/kubernetes/health/unscheduled-pods.js';

const now = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

function node(name: string, conditions: Record<string, string>, cordoned = false): V1Node {
  return {
    metadata: { name },
    ...(cordoned ? { spec: { unschedulable: true } } : {}),
    status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
  };
}

describe('judgeNodes', () => {
  const healthy = { Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' };

  it('passes when enough nodes are Ready', () => {
    const result = judgeNodes([node('a', healthy), node('b', healthy)], { expectedReady: 2 });
    expect(result).toEqual({ name: 'nodes', verdict: 'pass', evidence: '2 of 2 nodes ready, 2 expected' });
  });

  it('fails with fewer Ready nodes than expected, naming the others and why', () => {
    const notReady: V1Node = {
      metadata: { name: 'b' },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: 'cni plugin not initialized',
          },
        ],
      },
    };
    const result = judgeNodes([node('a', healthy), notReady, node('c', healthy, true)], { expectedReady: 3 });
    expect(result.verdict).toBe('fail');
    expect(result.evidence).toBe(
      '1 of 3 nodes ready, 3 expected; not ready: b Ready=False (KubeletNotReady: cni plugin not initialized); c cordoned',
    );
  });

  it('is inconclusive when nodes that have not reported yet could make up the shortfall', () => {
    const result = judgeNodes([node('a', healthy), { metadata: { name: 'new' } }], { expectedReady: 2 });
    expect(result).toMatchObject({
      verdict: 'inconclusive',
      evidence: expect.stringContaining('no status yet: new'),
    });
  });

  it('fails on memory, disk or PID pressure unless allowed', () => {
    const nodes = [node('a', healthy), node('b', { ...healthy, DiskPressure: 'True', PIDPressure: 'True' })];
    const result = judgeNodes(nodes, { expectedReady: 1 });
    expect(result).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining('under pressure: b (DiskPressure, PIDPressure)'),
    });
    expect(judgeNodes(nodes, { expectedReady: 1, allowPressure: true }).verdict).toBe('pass');
  });

  it('fails with no nodes when some are expected, passes when none are', () => {
    expect(judgeNodes([], { expectedReady: 1, selector: 'pool=main' })).toEqual({
      name: 'nodes',
      verdict: 'fail',
      evidence: '0 of 0 nodes matching "pool=main" ready, 1 expected',
    });
    expect(judgeNodes([], { expectedReady: 0 }).verdict).toBe('pass');
  });
});

function pod(name: string, status: V1Pod['status']): V1Pod {
  return { metadata: { name, namespace: 'kube-system' }, ...(status === undefined ? {} : { status }) };
}

const unschedulable = (since: Date): V1Pod['status'] => ({
  phase: 'Pending',
  conditions: [
    {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient cpu.',
      lastTransitionTime: since,
    },
  ],
});

describe('judgeUnscheduledPods', () => {
  const spec = resolvePodActivity({ namespaces: ['kube-system'] });

  it('fails naming pods unschedulable for longer than the grace', () => {
    const result = judgeUnscheduledPods([pod('big', unschedulable(minutesAgo(30)))], spec, now);
    expect(result).toEqual({
      name: 'unscheduled-pods',
      verdict: 'fail',
      evidence:
        '1 pod unschedulable in namespaces kube-system: kube-system/big: 0/3 nodes are available: 3 Insufficient cpu.',
    });
  });

  it('is inconclusive for a pod that only just became unschedulable', () => {
    const result = judgeUnscheduledPods([pod('big', unschedulable(minutesAgo(1)))], spec, now);
    expect(result).toMatchObject({
      verdict: 'inconclusive',
      evidence: expect.stringContaining('(for 60 s)'),
    });
  });

  it('ignores scheduled, running and merely pending pods', () => {
    const pods = [
      pod('running', { phase: 'Running' }),
      pod('pulling', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }),
      pod('fresh', { phase: 'Pending' }),
    ];
    expect(judgeUnscheduledPods(pods, spec, now).verdict).toBe('pass');
  });
});

function container(name: string, fields: Partial<V1ContainerStatus>): V1ContainerStatus {
  return { name, image: 'x', imageID: '', ready: false, restartCount: 0, ...fields };
}

describe('judgePodErrors', () => {
  const spec = resolvePodActivity({ restartThreshold: 5, windowMs: 15 * 60_000 });

  it.each(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull'])(
    'fails on a container waiting in %s',
    (reason) => {
      const pods = [
        pod('coredns-1', {
          phase: 'Running',
          containerStatuses: [container('coredns', { restartCount: 3, state: { waiting: { reason } } })],
        }),
      ];
      expect(judgePodErrors(pods, spec, now)).toEqual({
        name: 'pod-errors',
        verdict: 'fail',
        evidence: `1 failing container in all namespaces: kube-system/coredns-1 container coredns: ${reason}, 3 restarts`,
      });
    },
  );

  it('fails on restarts above the threshold only when the last one is inside the window', () => {
    const restarted = (finishedAt: Date) =>
      pod('flaky', {
        phase: 'Running',
        initContainerStatuses: [
          container('init', {
            restartCount: 9,
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt } },
          }),
        ],
      });
    const recent = judgePodErrors([restarted(minutesAgo(2))], spec, now);
    expect(recent.verdict).toBe('fail');
    expect(recent.evidence).toContain(
      'kube-system/flaky container init: 9 restarts (last OOMKilled at 2026-03-01T11:58:00.000Z)',
    );
    expect(judgePodErrors([restarted(minutesAgo(60))], spec, now).verdict).toBe('pass');
  });

  it('passes restarts at the threshold and containers merely starting', () => {
    const pods = [
      pod('ok', {
        containerStatuses: [
          container('a', {
            restartCount: 5,
            lastState: { terminated: { exitCode: 1, finishedAt: minutesAgo(1) } },
          }),
          container('b', { state: { waiting: { reason: 'ContainerCreating' } } }),
        ],
      }),
    ];
    expect(judgePodErrors(pods, spec, now).verdict).toBe('pass');
  });
});

describe('judgeTrafficReadiness', () => {
  const dep = (name: string, replicas: number, available: number, observed = 1): V1Deployment => ({
    metadata: { name, namespace: 'shop', generation: 1 },
    spec: { replicas, selector: {}, template: {} },
    status: { observedGeneration: observed, availableReplicas: available },
  });

  it('is ready when every Deployment is available, including ones scaled to zero', () => {
    const result = judgeTrafficReadiness(
      'shop-green',
      new Map([['shop', [dep('web', 3, 3), dep('batch', 0, 0)]]]),
    );
    expect(result).toEqual({ ready: true, message: 'shop-green: all 2 Deployments available in shop' });
  });

  it('names every Deployment that is not available, and empty namespaces', () => {
    const result = judgeTrafficReadiness(
      'shop-green',
      new Map([
        ['shop', [dep('web', 3, 2), dep('api', 2, 2, 0)]],
        ['payments', []],
      ]),
    );
    expect(result).toEqual({
      ready: false,
      message:
        'shop-green: not ready for traffic: shop/web: 2 of 3 replicas available; ' +
        'shop/api: controller has not observed generation 1 yet; namespace payments has no Deployments',
    });
  });
});

describe('judgeServing (green holding traffic, looked at during every bake)', () => {
  const dep = (
    name: string,
    replicas: number,
    available: number,
    condition?: 'True' | 'False',
  ): V1Deployment => ({
    metadata: { name, namespace: 'shop', generation: 1 },
    spec: { replicas, selector: {}, template: {} },
    status: {
      observedGeneration: 1,
      availableReplicas: available,
      ...(condition && {
        conditions: [
          {
            type: 'Available',
            status: condition,
            message:
              condition === 'True'
                ? 'Deployment has minimum availability.'
                : 'Deployment does not have minimum availability.',
          },
        ],
      }),
    },
  });
  const pods = { name: 'pod-errors', verdict: 'pass', evidence: 'no failing containers' } as const;

  it('takes an autoscaler adding replicas (fewer available than desired, still Available) for serving', () => {
    const result = judgeServing('shop-green', new Map([['shop', [dep('web', 5, 3, 'True')]]]), pods);
    expect(result).toEqual({
      ready: true,
      message: 'shop-green: 1 Deployment available; no failing containers',
    });
  });

  it('is degraded when a Deployment lost minimum availability, has no condition yet, or a container fails', () => {
    const result = judgeServing(
      'shop-green',
      new Map([
        ['shop', [dep('web', 3, 1, 'False'), dep('api', 2, 0)]],
        ['payments', []],
      ]),
      {
        name: 'pod-errors',
        verdict: 'fail',
        evidence: 'shop/web-1 container web: CrashLoopBackOff, 4 restarts',
      },
    );
    expect(result).toEqual({
      ready: false,
      message:
        'shop-green: degraded: shop/web: unavailable (1 of 3 available: Deployment does not have minimum availability.); ' +
        'shop/api: no Available condition yet; namespace payments has no Deployments; ' +
        'shop/web-1 container web: CrashLoopBackOff, 4 restarts',
    });
  });
});
