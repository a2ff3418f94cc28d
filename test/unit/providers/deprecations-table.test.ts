import { describe, expect, it } from 'vitest';
import {
  apiRemovals,
  apiVersionOf,
  deprecatedApis,
  removalVersions,
} from '../../../src/providers/kubernetes/deprecations/table.js';
import {
  compareVersions,
  formatVersion,
  parseVersion,
} from '../../../src/providers/kubernetes/deprecations/version.js';

const removedBy = (version: string) =>
  new Set(
    apiRemovals
      .filter((e) => compareVersions(e.removedIn, version) <= 0)
      .map((e) => `${apiVersionOf(e)} ${e.kind}`),
  );

describe('the API removal table', () => {
  it('is ordered by removal release and names every (apiVersion, kind) once', () => {
    const order = apiRemovals.map((e) => removalVersions.indexOf(e.removedIn));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const keys = apiRemovals.map((e) => `${apiVersionOf(e)} ${e.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never deprecates after removing, and always points somewhere else that outlives the removal', () => {
    for (const entry of apiRemovals) {
      const label = `${apiVersionOf(entry)} ${entry.kind}`;
      if (entry.deprecatedIn)
        expect(compareVersions(entry.removedIn, entry.deprecatedIn), label).toBeGreaterThan(0);
      expect(entry.replacement.notes, label).not.toBe('');
      const to = entry.replacement.apiVersion;
      if (to === null) continue;
      expect(to, label).not.toBe(apiVersionOf(entry));
      // A replacement that is itself removed must at least survive the removal it replaces.
      const next = apiRemovals.find((e) => apiVersionOf(e) === to && e.kind === entry.kind);
      if (next) expect(compareVersions(next.removedIn, entry.removedIn), label).toBeGreaterThan(0);
    }
  });

  it('holds the removals of every release the guide lists', () => {
    expect(removedBy('1.16')).toEqual(
      new Set([
        'extensions/v1beta1 NetworkPolicy',
        'extensions/v1beta1 PodSecurityPolicy',
        ...['extensions/v1beta1', 'apps/v1beta2'].map((v) => `${v} DaemonSet`),
        ...['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'].map((v) => `${v} Deployment`),
        ...['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'].map((v) => `${v} ReplicaSet`),
        ...['apps/v1beta1', 'apps/v1beta2'].map((v) => `${v} StatefulSet`),
      ]),
    );
    const by122 = removedBy('1.22');
    for (const key of [
      'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration',
      'apiextensions.k8s.io/v1beta1 CustomResourceDefinition',
      'extensions/v1beta1 Ingress',
      'networking.k8s.io/v1beta1 IngressClass',
      'storage.k8s.io/v1beta1 VolumeAttachment',
    ]) {
      expect(by122.has(key), key).toBe(true);
    }
    const by132 = removedBy('1.32');
    for (const key of [
      'batch/v1beta1 CronJob',
      'policy/v1beta1 PodSecurityPolicy',
      'autoscaling/v2beta2 HorizontalPodAutoscaler',
      'storage.k8s.io/v1beta1 CSIStorageCapacity',
      'flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema',
      'flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration',
    ]) {
      expect(by132.has(key), key).toBe(true);
    }
    // The guide lists nothing removed in 1.33 to 1.36.
    expect(removedBy('1.36')).toEqual(removedBy('1.32'));
  });

  it('gives PodSecurityPolicy no replacement and keeps deprecated-but-served APIs apart', () => {
    const psp = apiRemovals.find((e) => e.group === 'policy' && e.kind === 'PodSecurityPolicy');
    expect(psp?.replacement.apiVersion).toBeNull();
    for (const entry of deprecatedApis) {
      expect(compareVersions(entry.deprecatedIn, '1.36')).toBeLessThanOrEqual(0);
      expect(apiRemovals.some((e) => apiVersionOf(e) === apiVersionOf(entry) && e.kind === entry.kind)).toBe(
        false,
      );
    }
  });
});

describe('Kubernetes versions', () => {
  it.each([
    ['1.35', '1.35'],
    ['v1.35.4', '1.35'],
    ['1.35.0-eks-5e0fdde', '1.35'],
    ['v1.29.10+k3s1', '1.29'],
    ['1.30+', '1.30'],
    [' 2.0 ', '2.0'],
  ])('reads %j as %s', (text, expected) => {
    expect(formatVersion(parseVersion(text))).toBe(expected);
  });

  it.each(['', '1', 'latest', 'v1.x', '1.35.4.5', 'eks-1.35'])('refuses %j', (text) => {
    expect(() => parseVersion(text)).toThrow(/not a Kubernetes version/);
  });

  it('compares by major.minor, numerically, ignoring patch and suffix', () => {
    expect(compareVersions('1.9', '1.16')).toBeLessThan(0);
    expect(compareVersions('v1.25.16', '1.25')).toBe(0);
    expect(compareVersions('1.36.0-eks-1', 'v1.35.9')).toBeGreaterThan(0);
    expect(compareVersions('2.0', '1.99')).toBeGreaterThan(0);
  });
});
