import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../src/domain/errors.js';
import { specActor, specFieldManager } from '../../../../src/kube-native/gitops/field-manager.js';
import {
  MarkedSpecs,
  observedSpecAnnotation,
  observedSpecOf,
  observedSpecText,
} from '../../../../src/kube-native/gitops/observed-spec.js';
import { promotionRequestOf } from '../../../../src/kube-native/gitops/request.js';
import { type PromotionResource, roleOf } from '../../../../src/kube-native/gitops/resource.js';

function resource(fields: Partial<PromotionResource['metadata']> = {}, rest: object = {}): PromotionResource {
  return {
    metadata: { name: 'shop-1-35', generation: 1, ...fields },
    spec: { platform: 'shop', targetVersion: '1.35' },
    ...rest,
  };
}

const applied = {
  manager: 'kubectl-client-side-apply',
  operation: 'Update',
  time: '2026-11-27T10:00:00Z',
  fieldsV1: { 'f:spec': { '.': {}, 'f:platform': {}, 'f:targetVersion': {} } },
};
const patchedPause = {
  manager: 'kubectl-patch',
  operation: 'Update',
  time: '2026-11-27T10:05:00Z',
  fieldsV1: { 'f:spec': { 'f:paused': {} } },
};
const statusWrite = {
  manager: 'switchyard',
  operation: 'Update',
  subresource: 'status',
  time: '2026-11-27T10:06:00Z',
  fieldsV1: { 'f:status': { 'f:phase': {} }, 'f:spec': { 'f:paused': {} } },
};

describe('reading a Promotion resource', () => {
  it('tells a promotion, a request and an interrupted API create apart', () => {
    expect(roleOf(resource({}, { status: { storage: { version: 1 } } }))).toBe('promotion');
    expect(roleOf(resource())).toBe('request');
    expect(roleOf(resource({ annotations: { 'switchyard.dev/origin': 'api' } }))).toBe(
      'interrupted-api-create',
    );
    // An API create the store finished is a promotion like any other.
    expect(
      roleOf(resource({ annotations: { 'switchyard.dev/origin': 'api' } }, { status: { storage: {} } })),
    ).toBe('promotion');
  });

  it('names who set a spec field from managedFields, skipping status writes', () => {
    const withFields = resource({ managedFields: [applied, patchedPause, statusWrite] });
    expect(specFieldManager(withFields, 'paused')).toBe('kubectl-patch');
    expect(specFieldManager(withFields, 'targetVersion')).toBe('kubectl-client-side-apply');
    expect(specFieldManager(withFields)).toBe('kubectl-patch');
    expect(specActor(withFields, 'weight')).toBe('kubernetes');
    expect(specActor(withFields, 'paused')).toBe('kubernetes:kubectl-patch');
  });

  it('makes the request POST /v1/promotions would: name as id, spec manager as creator', () => {
    const request = promotionRequestOf({
      metadata: { name: 'shop-1-35', managedFields: [applied] },
      spec: { platform: 'shop', targetVersion: 'v1.35', options: { rollback: { mode: 'stepped' } } },
    });
    expect(request).toEqual({
      id: 'shop-1-35',
      platform: 'shop',
      targetVersion: '1.35',
      createdBy: 'kubernetes:kubectl-client-side-apply',
      rollback: { mode: 'stepped' },
    });
  });

  it('refuses a spec the API would refuse, naming the field, and a name too long for an id', () => {
    const badVersion = () =>
      promotionRequestOf({ metadata: { name: 'x' }, spec: { platform: 'shop', targetVersion: '2.0' } });
    expect(badVersion).toThrow(InvalidInputError);
    expect(badVersion).toThrow(/^spec\.targetVersion: must be a Kubernetes minor version/);
    expect(() => promotionRequestOf({ metadata: { name: 'x' }, spec: { platform: 'shop' } })).toThrow(
      /^spec\.targetVersion:/,
    );
    expect(() => promotionRequestOf(resource({ name: 'p'.repeat(101) }))).toThrow(
      /^metadata\.name: a promotion id has at most 100 characters/,
    );
  });

  it('keeps the observed spec in an annotation and reads back what it wrote', () => {
    const text = observedSpecText(3, { paused: true, rollback: { reason: 'slow' } });
    expect(JSON.parse(text)).toEqual({ generation: 3, paused: true, rollback: { reason: 'slow' } });
    expect(observedSpecOf(resource({ annotations: { [observedSpecAnnotation]: text } }))).toEqual({
      generation: 3,
      paused: true,
      rollback: { reason: 'slow' },
    });
    expect(observedSpecOf(resource())).toBeUndefined();
    // Something unreadable there counts as nothing observed.
    expect(observedSpecOf(resource({ annotations: { [observedSpecAnnotation]: '{"gen' } }))).toBeUndefined();
    expect(
      observedSpecOf(resource({ annotations: { [observedSpecAnnotation]: '{"generation":"two"}' } })),
    ).toBeUndefined();
  });

  it('remembers its own marks per object: the same name applied again after a delete starts afresh', () => {
    const marks = new MarkedSpecs();
    const first = resource({ uid: 'uid-1', generation: 3 });
    marks.remember(first, { generation: 3, paused: true });
    expect(marks.of(resource({ uid: 'uid-1', generation: 3 }))).toEqual({ generation: 3, paused: true });
    expect(marks.of(resource({ uid: 'uid-2', generation: 1 }))).toBeUndefined();
    marks.forget('shop-1-35');
    expect(marks.of(first)).toBeUndefined();
  });
});
