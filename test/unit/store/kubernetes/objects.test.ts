import { describe, expect, it } from 'vitest';
import { kubernetesEventsOf, reasonOf } from '../../../../src/store/kubernetes/kube-events.js';
import {
  compareRevisions,
  decodeStored,
  newPromotionResource,
  statusOf,
} from '../../../../src/store/kubernetes/objects.js';
import { aPromotion } from '../fixtures.js';

describe('the Kubernetes store encoding', () => {
  it('reads back exactly the record it stored, beside the API view', () => {
    const record = { ...aPromotion(), version: 3 };
    const storage = {
      record: JSON.stringify(record),
      version: 3,
      epoch: 2,
      createdRevision: '41',
      events: '[]',
      nextSeq: 1,
      sealedChunks: 0,
    };
    const resource = { ...newPromotionResource(record), status: statusOf(record, storage) };
    expect(resource.status.phase).toBe('running');
    expect(decodeStored(resource)?.record).toEqual(record);
    expect(decodeStored(newPromotionResource(record))).toBeUndefined();
  });

  it('orders resourceVersions as the numbers they are', () => {
    expect(compareRevisions('9', '10')).toBeLessThan(0);
    expect(compareRevisions('100', '99')).toBeGreaterThan(0);
    expect(compareRevisions('42', '42')).toBe(0);
    expect(compareRevisions('41', '42')).toBeLessThan(0);
  });

  it('turns event types into CamelCase Kubernetes reasons', () => {
    expect(reasonOf('stage.started')).toBe('StageStarted');
    expect(reasonOf('rollback.weights-set')).toBe('RollbackWeightsSet');
  });

  it('makes Kubernetes Events of the transitions only, warnings where a person is needed', () => {
    const resource = {
      ...newPromotionResource(aPromotion()),
      metadata: { name: 'p-1', namespace: 'ns', uid: 'u-1' },
    };
    const at = '2031-03-04T05:06:07.000Z';
    const event = (seq: number, type: string, message = `${type} happened`) =>
      ({ seq, promotionId: 'p-1', at, type, message, actor: 'controller' }) as const;
    const made = kubernetesEventsOf(
      resource,
      [event(1, 'stage.started'), event(2, 'stage.retry'), event(3, 'stage.failed', 'x'.repeat(2_000))],
      'replica-1',
    );
    expect(made.map((e) => [e.reason, e.type, e.message?.length])).toEqual([
      ['StageStarted', 'Normal', 'stage.started happened'.length],
      ['StageFailed', 'Warning', 1_000],
    ]);
    expect(made[0]?.involvedObject).toEqual({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'Promotion',
      name: 'p-1',
      namespace: 'ns',
      uid: 'u-1',
    });
  });
});
