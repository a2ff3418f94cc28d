import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  judge,
  removedApisCheck,
  type Sighting,
} from '../../../src/providers/kubernetes/deprecations/classify.js';
import {
  lastAppliedAnnotation,
  listingCandidates,
  objectSightings,
} from '../../../src/providers/kubernetes/deprecations/live.js';
import { parseVersion } from '../../../src/providers/kubernetes/deprecations/version.js';

const sighting = (
  apiVersion: string,
  kind: string,
  name: string,
  source: Sighting['source'] = 'helm',
): Sighting => ({
  object: { apiVersion, kind, namespace: 'shop', name },
  source,
  detail: 'release shop/web revision 2',
});

const sightings = [
  sighting('batch/v1beta1', 'CronJob', 'nightly'),
  sighting('batch/v1beta1', 'CronJob', 'nightly', 'last-applied'),
  sighting('autoscaling/v2beta2', 'HorizontalPodAutoscaler', 'web'),
  sighting('v1', 'Endpoints', 'legacy-db'),
  sighting('apps/v1', 'Deployment', 'web'),
];
const totals = { objects: 7, releases: 2, unreadable: [] };
const judged = (target: string) => judge(sightings, parseVersion(target));

describe('classifying what blue uses against the target release', () => {
  it('only warns for 1.24: CronJob v1beta1 is deprecated there but still served', () => {
    const { findings, warnings } = judged('1.24');
    expect(findings).toEqual([]);
    expect(warnings).toHaveLength(3); // the CronJob twice (two sources) and the HPA
    expect(warnings[0]).toMatch(
      /^CronJob shop\/nightly uses batch\/v1beta1 .*deprecated since 1\.21, removed in 1\.25: use batch\/v1/,
    );
    expect(warnings.join('\n')).not.toMatch(/Endpoints|Deployment/);
  });

  it('fails for 1.25 on the CronJob and still only warns for the HPA (gone in 1.26)', () => {
    const { findings, warnings } = judged('1.25');
    expect(findings.map((f) => [f.object.kind, f.source, f.removedIn, f.replacement.apiVersion])).toEqual([
      ['CronJob', 'helm', '1.25', 'batch/v1'],
      ['CronJob', 'last-applied', '1.25', 'batch/v1'],
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(/^HorizontalPodAutoscaler shop\/web uses autoscaling\/v2beta2/),
    ]);
  });

  it('fails for 1.36 on both, and warns for Endpoints, deprecated in 1.33 but still served', () => {
    const { findings, warnings } = judged('v1.36.0');
    expect(findings.map((f) => f.object.kind)).toEqual(['CronJob', 'CronJob', 'HorizontalPodAutoscaler']);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Endpoints shop\/legacy-db uses v1 .*still served: use discovery\.k8s\.io\/v1 EndpointSlice/,
      ),
    ]);
  });

  it('fails the check naming each object once, with every source and the replacement', () => {
    const target = parseVersion('1.36');
    const check = removedApisCheck(judged('1.36').findings, target, totals);
    expect(check.verdict).toBe('fail');
    const lines = check.evidence.split('\n');
    expect(lines[0]).toBe(
      '2 object(s) use APIs that Kubernetes 1.36 no longer serves (7 objects, 2 helm releases scanned):',
    );
    expect(lines[1]).toMatch(
      /^- CronJob shop\/nightly: batch\/v1beta1 \(removed in 1\.25\), seen in helm: .*; last-applied: .* -> use batch\/v1/,
    );
    expect(lines[2]).toMatch(
      /^- HorizontalPodAutoscaler shop\/web: autoscaling\/v2beta2 \(removed in 1\.26\).* -> use autoscaling\/v2 \(/,
    );
  });

  it('passes with the counts when nothing is removed, and is inconclusive when something was unreadable', () => {
    const target = parseVersion('1.24');
    expect(removedApisCheck([], target, totals)).toEqual({
      name: 'removed-apis',
      verdict: 'pass',
      evidence: 'no removed APIs in use (7 objects, 2 helm releases scanned)',
    });
    const gap = removedApisCheck([], target, { ...totals, unreadable: ['Helm release secrets: HTTP 403'] });
    expect(gap).toMatchObject({ verdict: 'inconclusive', evidence: expect.stringContaining('HTTP 403') });
  });
});

describe('reading live objects', () => {
  it('lists each kind at a version the target keeps before falling back to removed ones', () => {
    expect(listingCandidates(parseVersion('1.25')).get('HorizontalPodAutoscaler')).toEqual([
      'autoscaling/v2',
      'autoscaling/v2beta2',
      'autoscaling/v2beta1',
    ]);
    // On a 1.28 blue aiming at 1.29: v1 first (not served there yet), then v1beta3, which blue serves.
    expect(listingCandidates(parseVersion('1.29')).get('FlowSchema')).toEqual([
      'flowcontrol.apiserver.k8s.io/v1',
      'flowcontrol.apiserver.k8s.io/v1beta3',
      'flowcontrol.apiserver.k8s.io/v1beta2',
      'flowcontrol.apiserver.k8s.io/v1beta1',
    ]);
    expect(listingCandidates(parseVersion('1.35')).get('PodSecurityPolicy')).toEqual([
      'policy/v1beta1',
      'extensions/v1beta1',
    ]);
    expect(listingCandidates(parseVersion('1.35')).has('Event')).toBe(false);
  });

  const cronJob: KubernetesObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'nightly',
      namespace: 'shop',
      annotations: { [lastAppliedAnnotation]: '{"apiVersion":"batch/v1beta1","kind":"CronJob"}' },
      managedFields: [
        {
          manager: 'deploy-bot',
          operation: 'Update',
          apiVersion: 'batch/v1beta1',
          time: new Date('2024-01-02T03:04:05Z'),
        },
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'batch/v1beta1' },
        { manager: 'old-ci', operation: 'Update', apiVersion: 'batch/v2alpha1' },
        { manager: 'kubectl', operation: 'Apply', apiVersion: 'batch/v1' },
      ],
    },
  };

  it('reads last-applied and field managers at versions blue still serves, skipping the control plane', () => {
    const found = objectSightings(
      cronJob,
      'CronJob',
      'batch/v1',
      false,
      new Set(['batch/v1', 'batch/v1beta1']),
    );
    expect(found.map((s) => [s.source, s.object.apiVersion, s.detail])).toEqual([
      ['last-applied', 'batch/v1beta1', `${lastAppliedAnnotation} says batch/v1beta1`],
      ['live', 'batch/v1beta1', 'field manager deploy-bot wrote batch/v1beta1 at 2024-01-02T03:04:05.000Z'],
    ]);
  });

  it('treats every object as live use when blue serves the kind only at a removed version', () => {
    const psp = { apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: { name: 'restricted' } };
    const found = objectSightings(
      psp,
      'PodSecurityPolicy',
      'policy/v1beta1',
      true,
      new Set(['policy/v1beta1']),
    );
    expect(found).toEqual([
      {
        object: { apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', name: 'restricted' },
        source: 'live',
        detail: 'blue serves PodSecurityPolicy only at policy/v1beta1',
      },
    ]);
  });

  it('ignores a last-applied annotation that is not JSON', () => {
    const edited = { ...cronJob, metadata: { name: 'x', annotations: { [lastAppliedAnnotation]: '{oops' } } };
    expect(objectSightings(edited, 'CronJob', 'batch/v1', false, new Set(['batch/v1']))).toEqual([]);
  });
});
