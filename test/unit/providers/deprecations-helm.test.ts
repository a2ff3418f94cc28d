import { gzipSync } from 'node:zlib';
import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  currentRevisions,
  decodeRelease,
  releaseSightings,
} from '../../../src/providers/kubernetes/deprecations/helm.js';

/** What Helm 3 writes (base64 of gzipped JSON), base64-encoded once more as the API returns Secret data. */
const encode = (release: object, gzip = true) => {
  const json = Buffer.from(JSON.stringify(release));
  const helmPayload = (gzip ? gzipSync(json) : json).toString('base64');
  return Buffer.from(helmPayload).toString('base64');
};

const manifest = `---
# Source: web/templates/pdb.yaml
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
---
# Source: web/templates/ingress.yaml
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: web
  namespace: edge
---
# Source: web/templates/empty.yaml
---
apiVersion: scheduling.k8s.io/v1beta1
kind: PriorityClass
metadata:
  name: critical
value: 1000
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: settings }
`;

const release = {
  name: 'web',
  namespace: 'team-a',
  version: 3,
  info: { status: 'deployed' },
  manifest,
  hooks: [
    {
      name: 'migrate',
      kind: 'Job',
      manifest: 'apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: migrate\n',
    },
  ],
};

describe('Helm 3 release secrets', () => {
  it('decode through both base64 layers and gzip', () => {
    const decoded = decodeRelease(encode(release));
    expect(decoded).toMatchObject({ name: 'web', namespace: 'team-a', version: 3, manifest });
    expect(decoded.hooks).toHaveLength(1);
  });

  it('also decode a payload Helm left uncompressed', () => {
    expect(decodeRelease(encode(release, false)).name).toBe('web');
  });

  it('refuse what is not a release', () => {
    expect(() => decodeRelease(encode({ hello: 'world' }))).toThrow(/not a Helm release/);
    expect(() => decodeRelease('bm90IGJhc2U2NCBqc29u')).toThrow();
  });

  it('list every document of the manifest and hooks, in the release namespace unless cluster-scoped', () => {
    const { sightings, problems } = releaseSightings(decodeRelease(encode(release)));
    expect(problems).toEqual([]);
    expect(
      sightings.map((s) => [s.object.apiVersion, s.object.kind, s.object.namespace, s.object.name]),
    ).toEqual([
      ['policy/v1beta1', 'PodDisruptionBudget', 'team-a', 'web'],
      ['networking.k8s.io/v1beta1', 'Ingress', 'edge', 'web'],
      ['scheduling.k8s.io/v1beta1', 'PriorityClass', undefined, 'critical'],
      ['v1', 'ConfigMap', 'team-a', 'settings'],
      ['batch/v1beta1', 'CronJob', 'team-a', 'migrate'],
    ]);
    expect(sightings[0]).toMatchObject({ source: 'helm', detail: 'release team-a/web revision 3' });
    expect(sightings[4]?.detail).toBe('release team-a/web revision 3 (hook)');
  });

  it('report a broken document instead of failing the release', () => {
    const broken = {
      ...release,
      manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n',
      hooks: [],
    };
    const { sightings, problems } = releaseSightings(decodeRelease(encode(broken)));
    expect(sightings).toEqual([]);
    expect(problems[0]).toMatch(/^release team-a\/web revision 3: unparsable manifest document/);
  });

  it('pick the newest deployed revision of each release, else the newest', () => {
    const secret = (namespace: string, name: string, version: number, status: string): V1Secret => ({
      metadata: {
        namespace,
        name: `sh.helm.release.v1.${name}.v${version}`,
        labels: { owner: 'helm', name, version: String(version), status },
      },
    });
    const chosen = currentRevisions([
      secret('a', 'web', 1, 'superseded'),
      secret('a', 'web', 2, 'deployed'),
      secret('a', 'web', 3, 'failed'),
      secret('b', 'web', 1, 'failed'),
      secret('b', 'web', 2, 'pending-upgrade'),
      secret('a', 'api', 10, 'deployed'),
      secret('a', 'api', 9, 'superseded'),
    ]);
    expect(chosen.map((s) => s.metadata?.name).sort()).toEqual([
      'sh.helm.release.v1.api.v10',
      'sh.helm.release.v1.web.v2',
      'sh.helm.release.v1.web.v2',
    ]);
    expect(chosen.map((s) => s.metadata?.namespace).sort()).toEqual(['a', 'a', 'b']);
  });
});
