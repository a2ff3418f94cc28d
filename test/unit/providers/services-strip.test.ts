import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/providers/kubernetes/services/objects.js';
import {
  cleanForCopy,
  namespaceForCopy,
  skipReason,
} from '../../../src/providers/kubernetes/services/strip.js';

const blueMetadata = {
  uid: '6f1c0b8e-0000-4000-8000-000000000001',
  resourceVersion: '4711',
  generation: 3,
  creationTimestamp: '2025-01-01T00:00:00Z',
  selfLink: '/api/v1/namespaces/shop/services/web',
  managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  ownerReferences: [{ apiVersion: 'example.io/v1', kind: 'App', name: 'shop', uid: 'abc', controller: true }],
  finalizers: ['service.k8s.aws/resources'],
};

function object(
  kind: string,
  extra: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name: 'web', namespace: 'shop', ...blueMetadata, ...metadata },
    ...extra,
  };
}

describe('cleanForCopy', () => {
  it("removes the server's bookkeeping, owners, finalizers, last-applied and status, and keeps the rest", () => {
    const configMap = object(
      'ConfigMap',
      { data: { color: 'blue' }, status: { anything: true } },
      {
        labels: { app: 'web' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'team.example/owner': 'shop',
        },
      },
    );
    expect(cleanForCopy(configMap)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web',
        namespace: 'shop',
        labels: { app: 'web' },
        annotations: { 'team.example/owner': 'shop' },
      },
      data: { color: 'blue' },
    });
  });

  it('does not change its input', () => {
    const original = object('ConfigMap', { data: { a: '1' } });
    const snapshot = structuredClone(original);
    cleanForCopy(original);
    expect(original).toEqual(snapshot);
  });

  it('drops annotations altogether when only cluster annotations were there', () => {
    const deployment = object(
      'Deployment',
      {},
      { annotations: { 'deployment.kubernetes.io/revision': '7' } },
    );
    expect(cleanForCopy(deployment).metadata).not.toHaveProperty('annotations');
  });

  it("removes a Service's allocated addresses and node ports, but keeps a headless Service headless", () => {
    const service = object('Service', {
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.0.0.17',
        clusterIPs: ['10.0.0.17'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        healthCheckNodePort: 31000,
        externalTrafficPolicy: 'Local',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
      },
      status: { loadBalancer: { ingress: [{ hostname: 'blue-lb.example' }] } },
    });
    expect(cleanForCopy(service).spec).toEqual({
      type: 'LoadBalancer',
      ipFamilyPolicy: 'SingleStack',
      externalTrafficPolicy: 'Local',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
    const headless = object('Service', { spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [] } });
    expect(cleanForCopy(headless).spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
  });

  it("removes a pod template's null timestamp and node name, and a claim template's status", () => {
    const statefulSet = object('StatefulSet', {
      apiVersion: 'apps/v1',
      spec: {
        replicas: 2,
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'db' } },
          spec: { nodeName: 'ip-10-0-1-1.ec2.internal', containers: [{ name: 'db', image: 'db:1' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', creationTimestamp: null },
            spec: { accessModes: ['ReadWriteOnce'] },
            status: { phase: 'Pending' },
          },
        ],
      },
    });
    expect(cleanForCopy(statefulSet).spec).toEqual({
      replicas: 2,
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'db:1' }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
    });
  });

  it("unbinds a PersistentVolumeClaim from blue's volume", () => {
    const claim = object(
      'PersistentVolumeClaim',
      {
        spec: { volumeName: 'pvc-123', storageClassName: 'gp3', resources: { requests: { storage: '1Gi' } } },
      },
      {
        annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'volume.kubernetes.io/selected-node': 'n1' },
      },
    );
    const cleaned = cleanForCopy(claim);
    expect(cleaned.spec).toEqual({ storageClassName: 'gp3', resources: { requests: { storage: '1Gi' } } });
    expect(cleaned.metadata).not.toHaveProperty('annotations');
  });

  it('drops ServiceAccount references to Secrets that are not copied', () => {
    const account = object('ServiceAccount', {
      secrets: [{ name: 'web-token-abcde' }, { name: 'registry' }],
    });
    expect(cleanForCopy(account, { droppedSecrets: new Set(['web-token-abcde']) }).secrets).toEqual([
      { name: 'registry' },
    ]);
    const onlyToken = object('ServiceAccount', { secrets: [{ name: 'web-token-abcde' }] });
    expect(cleanForCopy(onlyToken, { droppedSecrets: new Set(['web-token-abcde']) })).not.toHaveProperty(
      'secrets',
    );
  });
});

describe('skipReason', () => {
  it.each([
    [
      'a service-account token',
      object('Secret', { type: 'kubernetes.io/service-account-token' }),
      'service-account token',
    ],
    ['a Helm release record', object('Secret', { type: 'helm.sh/release.v1' }), 'Helm release record'],
    ['the default ServiceAccount', object('ServiceAccount', {}, { name: 'default' }), 'made by each cluster'],
    [
      "the cluster's CA bundle",
      object('ConfigMap', {}, { name: 'kube-root-ca.crt' }),
      "holds the cluster's own CA",
    ],
    [
      "the API server's Service",
      object('Service', {}, { name: 'kubernetes', namespace: 'default' }),
      "the API server's own",
    ],
    [
      'an object being deleted',
      object('ConfigMap', {}, { deletionTimestamp: '2025-01-01T00:00:00Z' }),
      'being deleted',
    ],
    [
      "a pod's ephemeral claim",
      object('PersistentVolumeClaim', {}, { ownerReferences: [{ kind: 'Pod', name: 'web-0', uid: 'x' }] }),
      "a pod's ephemeral volume",
    ],
  ])('skips %s', (_, candidate, reason) => {
    expect(skipReason(candidate)).toBe(reason);
  });

  it.each([
    ['an Opaque Secret', object('Secret', { type: 'Opaque' })],
    ['a TLS Secret', object('Secret', { type: 'kubernetes.io/tls' })],
    ['a named ServiceAccount', object('ServiceAccount')],
    ['a Service called kubernetes outside default', object('Service', {}, { name: 'kubernetes' })],
    ['a claim of its own', object('PersistentVolumeClaim', {}, { ownerReferences: [] })],
  ])('copies %s', (_, candidate) => {
    expect(skipReason(candidate)).toBeUndefined();
  });
});

describe('namespaceForCopy', () => {
  it('keeps the name, labels and annotations, and nothing of blue', () => {
    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'shop',
        uid: 'u',
        resourceVersion: '1',
        labels: { 'kubernetes.io/metadata.name': 'shop', team: 'shop' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'linkerd.io/inject': 'enabled',
        },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    expect(namespaceForCopy(namespace)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'shop',
        labels: { 'kubernetes.io/metadata.name': 'shop', team: 'shop' },
        annotations: { 'linkerd.io/inject': 'enabled' },
      },
    });
  });
});
