import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { judgeComponent } from '../../../src/providers/kubernetes/health/component.js';
import { judgeImage } from '../../../src/providers/kubernetes/health/image.js';
import type { ComponentSpec } from '../../../src/providers/kubernetes/health/spec.js';
import { overallVerdict } from '../../../src/providers/kubernetes/health/verdict.js';
import {
  judgeDaemonSet,
  judgeDeployment,
  judgeStatefulSet,
} from '../../../src/providers/kubernetes/health/workload-status.js';

const template = (...images: [string, string][]) => ({
  spec: { containers: images.map(([name, image]) => ({ name, image })) },
});

function deployment(status: V1Deployment['status'], replicas = 2, generation = 3): V1Deployment {
  return {
    metadata: { name: 'coredns', namespace: 'kube-system', generation },
    spec: {
      replicas,
      selector: {},
      template: template(['coredns', 'registry.example/eks/coredns:v1.11.3-eksbuild.2']),
    },
    ...(status === undefined ? {} : { status }),
  };
}

function daemonSet(status: Partial<NonNullable<V1DaemonSet['status']>> | undefined): V1DaemonSet {
  return {
    metadata: { name: 'aws-node', namespace: 'kube-system', generation: 1 },
    spec: { selector: {}, template: template(['aws-node', 'registry.example/amazon-k8s-cni:v1.19.0']) },
    ...(status === undefined
      ? {}
      : {
          status: {
            observedGeneration: 1,
            currentNumberScheduled: 3,
            desiredNumberScheduled: 3,
            numberMisscheduled: 0,
            numberReady: 3,
            updatedNumberScheduled: 3,
            numberAvailable: 3,
            ...status,
          },
        }),
  };
}

describe('judgeDeployment', () => {
  it('passes when ready and available reach the desired replicas', () => {
    const result = judgeDeployment(
      deployment({ observedGeneration: 3, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 }),
    );
    expect(result).toEqual({
      verdict: 'pass',
      evidence: '2 ready, 2 available, 2 updated of 2 desired (need 2)',
    });
  });

  it('honours minReady below the desired count', () => {
    const status = { observedGeneration: 3, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 2 };
    expect(judgeDeployment(deployment(status), 1).verdict).toBe('pass');
    expect(judgeDeployment(deployment(status)).verdict).toBe('fail');
  });

  it("is inconclusive while its pods start, as the controller's Progressing condition says, and fails once settled short", () => {
    const progressing = (reason: string) => ({
      observedGeneration: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      updatedReplicas: 2,
      conditions: [{ type: 'Progressing', status: 'True', reason }],
    });
    // A fresh rollout: every replica is "updated" at once, none has started yet.
    expect(judgeDeployment(deployment(progressing('ReplicaSetUpdated')))).toEqual({
      verdict: 'inconclusive',
      evidence: '0 ready, 0 available, 2 updated of 2 desired (need 2); rollout in progress',
    });
    expect(judgeDeployment(deployment(progressing('NewReplicaSetCreated'))).verdict).toBe('inconclusive');
    // The rollout completed earlier, and replicas were lost since.
    expect(judgeDeployment(deployment(progressing('NewReplicaSetAvailable'))).verdict).toBe('fail');
  });

  it('is inconclusive while no status is reported or the controller lags a generation', () => {
    expect(judgeDeployment(deployment(undefined))).toEqual({
      verdict: 'inconclusive',
      evidence: 'no status reported yet',
    });
    const lagging = judgeDeployment(
      deployment({ observedGeneration: 2, readyReplicas: 2, availableReplicas: 2 }),
    );
    expect(lagging).toMatchObject({
      verdict: 'inconclusive',
      evidence: expect.stringContaining('generation 2'),
    });
  });

  it('is inconclusive while a rollout is in progress, fails once the progress deadline passes', () => {
    const rolling = { observedGeneration: 3, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 };
    expect(judgeDeployment(deployment(rolling)).verdict).toBe('inconclusive');
    const stuck = judgeDeployment(
      deployment({
        ...rolling,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "coredns-5d8" has timed out progressing.',
          },
        ],
      }),
    );
    expect(stuck.verdict).toBe('fail');
    expect(stuck.evidence).toContain('has timed out progressing');
  });

  it('fails a settled deployment with too few ready replicas', () => {
    const result = judgeDeployment(
      deployment({ observedGeneration: 3, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 2 }),
    );
    expect(result).toEqual({
      verdict: 'fail',
      evidence: '0 ready, 0 available, 2 updated of 2 desired (need 2)',
    });
  });
});

describe('judgeDaemonSet', () => {
  it('passes when scheduled, ready and updated on every node', () => {
    expect(judgeDaemonSet(daemonSet({})).verdict).toBe('pass');
  });

  it('fails when a node has no pod of it', () => {
    const result = judgeDaemonSet(daemonSet({ currentNumberScheduled: 2, numberReady: 2 }));
    expect(result).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining('1 node(s) have no pod'),
    });
  });

  it('fails when a pod is not ready on some node', () => {
    const result = judgeDaemonSet(daemonSet({ numberReady: 2, numberUnavailable: 1, numberAvailable: 2 }));
    expect(result).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining('ready on every node'),
    });
  });

  it('fails when it is meant for no node at all', () => {
    const result = judgeDaemonSet(
      daemonSet({
        desiredNumberScheduled: 0,
        currentNumberScheduled: 0,
        numberReady: 0,
        updatedNumberScheduled: 0,
      }),
    );
    expect(result).toMatchObject({ verdict: 'fail', evidence: expect.stringContaining('no node at all') });
  });

  it('is inconclusive during a rolling update and while no status is reported', () => {
    expect(judgeDaemonSet(daemonSet({ updatedNumberScheduled: 1, numberReady: 2 })).verdict).toBe(
      'inconclusive',
    );
    expect(judgeDaemonSet(daemonSet(undefined)).verdict).toBe('inconclusive');
  });
});

describe('judgeStatefulSet', () => {
  const statefulSet = (status: V1StatefulSet['status']): V1StatefulSet => ({
    metadata: { name: 'loki', namespace: 'logging', generation: 1 },
    spec: {
      replicas: 3,
      selector: {},
      serviceName: 'loki',
      template: template(['loki', 'grafana/loki:3.0']),
    },
    ...(status === undefined ? {} : { status }),
  });

  it('passes, waits during a revision rollout, fails when settled short', () => {
    expect(
      judgeStatefulSet(statefulSet({ observedGeneration: 1, replicas: 3, readyReplicas: 3 })).verdict,
    ).toBe('pass');
    const rolling = { observedGeneration: 1, replicas: 3, readyReplicas: 2, updatedReplicas: 3 };
    expect(
      judgeStatefulSet(statefulSet({ ...rolling, currentRevision: 'loki-1', updateRevision: 'loki-2' }))
        .verdict,
    ).toBe('inconclusive');
    expect(
      judgeStatefulSet(statefulSet({ ...rolling, currentRevision: 'loki-2', updateRevision: 'loki-2' }))
        .verdict,
    ).toBe('fail');
    expect(judgeStatefulSet(statefulSet(undefined)).verdict).toBe('inconclusive');
  });
});

describe('judgeImage', () => {
  it('matches a substring of any container, or of the named one', () => {
    const pods = template(
      ['aws-node', 'ecr/amazon-k8s-cni:v1.19.0'],
      ['aws-eks-nodeagent', 'ecr/agent:v1.1.0'],
    );
    expect(judgeImage(pods, 'cni:v1.19').ok).toBe(true);
    expect(judgeImage(pods, 'agent:v1.1', 'aws-eks-nodeagent').ok).toBe(true);
    expect(judgeImage(pods, 'cni:v1.19', 'aws-eks-nodeagent')).toEqual({
      ok: false,
      evidence: 'expected an image with "cni:v1.19", found aws-eks-nodeagent=ecr/agent:v1.1.0',
    });
    expect(judgeImage(pods, 'x', 'sidecar')).toEqual({
      ok: false,
      evidence: 'no container "sidecar" in the pod template (containers: aws-node, aws-eks-nodeagent)',
    });
  });
});

describe('judgeComponent', () => {
  const dns: ComponentSpec = {
    name: 'dns',
    kind: 'Deployment',
    namespace: 'kube-system',
    workload: 'coredns',
  };
  const healthy = deployment({
    observedGeneration: 3,
    readyReplicas: 2,
    availableReplicas: 2,
    updatedReplicas: 2,
  });

  it('names the object and passes a healthy one', () => {
    expect(judgeComponent(dns, healthy)).toEqual({
      name: 'component/dns',
      verdict: 'pass',
      evidence: 'Deployment kube-system/coredns: 2 ready, 2 available, 2 updated of 2 desired (need 2)',
    });
  });

  it('fails a missing workload unless the component is optional', () => {
    expect(judgeComponent(dns, undefined)).toEqual({
      name: 'component/dns',
      verdict: 'fail',
      evidence: 'Deployment kube-system/coredns not found',
    });
    expect(judgeComponent({ ...dns, optional: true }, undefined).verdict).toBe('pass');
  });

  it('fails a wrong image even when the rollout is healthy', () => {
    const result = judgeComponent({ ...dns, image: 'v1.11.4-eksbuild.1' }, healthy);
    expect(result.verdict).toBe('fail');
    expect(result.evidence).toContain('expected an image with "v1.11.4-eksbuild.1"');
    expect(judgeComponent({ ...dns, image: 'coredns:v1.11' }, healthy).verdict).toBe('pass');
  });
});

describe('overallVerdict', () => {
  it('fail beats inconclusive beats pass; no checks pass', () => {
    expect(overallVerdict([{ verdict: 'pass' }, { verdict: 'inconclusive' }, { verdict: 'fail' }])).toBe(
      'fail',
    );
    expect(overallVerdict([{ verdict: 'pass' }, { verdict: 'inconclusive' }])).toBe('inconclusive');
    expect(overallVerdict([{ verdict: 'pass' }])).toBe('pass');
    expect(overallVerdict([])).toBe('pass');
  });
});
