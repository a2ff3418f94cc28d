import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/providers/kubernetes/services/objects.js';
import { judgeRollout } from '../../../src/providers/kubernetes/services/rollout.js';

function deployment(status: Record<string, unknown> | undefined, replicas = 3, generation = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', generation },
    spec: { replicas },
    ...(status ? { status } : {}),
  };
}

describe('judgeRollout', () => {
  it('passes a rolled-out Deployment', () => {
    const result = judgeRollout(
      deployment({
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
      }),
    );
    expect(result).toEqual({
      name: 'rollout Deployment shop/web',
      verdict: 'pass',
      evidence: '3 available, 3 updated of 3 desired',
    });
  });

  it.each([
    ['no status', undefined, 'no status from the controller yet'],
    [
      'status of an older generation',
      { observedGeneration: 1, availableReplicas: 3, updatedReplicas: 3, replicas: 3 },
      'observed generation 1 < 2',
    ],
    [
      'replicas still updating',
      { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3 },
      'still being updated',
    ],
    [
      'old replicas left',
      { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 },
      '1 old replica(s)',
    ],
    [
      'not yet available',
      { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1 },
      'waiting for replicas',
    ],
  ])('is inconclusive with %s', (_, status, evidence) => {
    const result = judgeRollout(deployment(status));
    expect(result.verdict).toBe('inconclusive');
    expect(result.evidence).toContain(evidence);
  });

  it('fails a Deployment whose progress deadline passed', () => {
    const result = judgeRollout(
      deployment({
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-1" has timed out progressing.',
          },
        ],
      }),
    );
    expect(result.verdict).toBe('fail');
    expect(result.evidence).toContain('has timed out progressing');
  });

  it('passes a Deployment scaled to zero', () => {
    expect(judgeRollout(deployment({ observedGeneration: 2 }, 0)).verdict).toBe('pass');
  });

  it('judges StatefulSets by revisions and partitions', () => {
    const statefulSet = (status: Record<string, unknown>, partition?: number): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop', generation: 1 },
      spec: {
        replicas: 3,
        updateStrategy: { type: 'RollingUpdate', ...(partition ? { rollingUpdate: { partition } } : {}) },
      },
      status: { observedGeneration: 1, ...status },
    });
    const done = {
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
      currentRevision: 'db-2',
      updateRevision: 'db-2',
    };
    expect(judgeRollout(statefulSet(done)).verdict).toBe('pass');
    expect(judgeRollout(statefulSet({ ...done, currentRevision: 'db-1' })).evidence).toContain(
      'revision db-2',
    );
    expect(
      judgeRollout(statefulSet({ ...done, updatedReplicas: 1, currentRevision: 'db-1' }, 2)).verdict,
    ).toBe('pass');
  });

  it('judges DaemonSets against the nodes they should run on', () => {
    const daemonSet = (status: Record<string, unknown>): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'shop', generation: 1 },
      spec: {},
      status: { observedGeneration: 1, ...status },
    });
    expect(
      judgeRollout(daemonSet({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }))
        .verdict,
    ).toBe('pass');
    expect(
      judgeRollout(daemonSet({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 }))
        .verdict,
    ).toBe('inconclusive');
  });
});
