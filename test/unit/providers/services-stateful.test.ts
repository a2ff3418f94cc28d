import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import type { KubeObject } from '../../../src/providers/kubernetes/services/objects.js';
import { findStateful, statefulRefusal } from '../../../src/providers/kubernetes/services/stateful.js';

const podSpec = (volumes: unknown[] = []) => ({
  template: { spec: { containers: [{ name: 'app', image: 'app:1' }], volumes } },
});

function workload(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'shop' }, spec };
}

describe('findStateful', () => {
  it('finds nothing in stateless objects', () => {
    const objects: KubeObject[] = [
      workload(
        'Deployment',
        'web',
        podSpec([
          { name: 'cache', emptyDir: {} },
          { name: 'cfg', configMap: { name: 'web' } },
        ]),
      ),
      workload('StatefulSet', 'stateless', { ...podSpec(), volumeClaimTemplates: [] }),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop' } },
    ];
    expect(findStateful(objects)).toEqual([]);
  });

  it('names claims, claim templates and mounted claims, with the reason', () => {
    const objects: KubeObject[] = [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'uploads', namespace: 'shop' },
        spec: { volumeName: 'pvc-42', resources: { requests: { storage: '10Gi' } } },
      },
      workload('StatefulSet', 'db', {
        ...podSpec(),
        volumeClaimTemplates: [{ metadata: { name: 'data' } }, { metadata: { name: 'wal' } }],
      }),
      workload(
        'Deployment',
        'web',
        podSpec([{ name: 'uploads', persistentVolumeClaim: { claimName: 'uploads' } }]),
      ),
    ];
    expect(findStateful(objects)).toEqual([
      {
        object: 'PersistentVolumeClaim shop/uploads',
        reason: 'claims 10Gi volume (bound to pvc-42 on the source cluster)',
      },
      {
        object: 'StatefulSet shop/db',
        reason: 'volumeClaimTemplates "data", "wal" give each replica its own volume',
      },
      { object: 'Deployment shop/web', reason: 'mounts PersistentVolumeClaim "uploads"' },
    ]);
  });

  it('looks into CronJob templates, and lets ephemeral claims of pods pass', () => {
    const cronJob: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup', namespace: 'shop' },
      spec: {
        jobTemplate: { spec: podSpec([{ name: 'v', persistentVolumeClaim: { claimName: 'backup' } }]) },
      },
    };
    const ephemeral: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'web-0-scratch',
        namespace: 'shop',
        ownerReferences: [{ kind: 'Pod', name: 'web-0' }],
      },
    };
    expect(findStateful([cronJob, ephemeral]).map((f) => f.object)).toEqual(['CronJob shop/backup']);
  });
});

describe('statefulRefusal', () => {
  it('is not retryable and explains that blue-green moves traffic, not data', () => {
    const error = statefulRefusal('copy services from cluster blue', [
      { object: 'PersistentVolumeClaim shop/uploads', reason: 'claims 10Gi volume' },
    ]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('refusing to copy services from cluster blue');
    expect(error.message).toContain('PersistentVolumeClaim shop/uploads (claims 10Gi volume)');
    expect(error.message).toContain('Blue-green moves traffic, not data');
    expect(error.message).toContain('allowStateful: true');
  });
});
