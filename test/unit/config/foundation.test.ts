import { describe, expect, it } from 'vitest';
import { loadPlatform, problems, route53Platform } from './temp-config.js';

const foundation = {
  components: [
    {
      name: 'dns',
      kind: 'Deployment',
      namespace: 'kube-system',
      workload: 'coredns',
      dnsProbe: { host: 'kubernetes.default.svc.cluster.local', timeout: '3s' },
    },
    { name: 'cni', kind: 'DaemonSet', namespace: 'kube-system', workload: 'aws-node', image: 'v1.20' },
    {
      name: 'ingress',
      kind: 'Deployment',
      namespace: 'ingress-nginx',
      workload: 'ingress-nginx-controller',
      minReady: 2,
      optional: true,
    },
  ],
  nodes: { expectedReady: 3, selector: 'eks.amazonaws.com/nodegroup=general' },
  pods: { restartThreshold: 3, window: '10m', unschedulableGrace: '2m' },
};

describe('platform foundation spec', () => {
  it('parses into the shape the health checks take, durations in ms', async () => {
    const loaded = await loadPlatform({ ...route53Platform, foundation });
    const spec = loaded.platforms.get(route53Platform.name)?.foundation;
    expect(spec?.components[0]).toEqual({
      name: 'dns',
      kind: 'Deployment',
      namespace: 'kube-system',
      workload: 'coredns',
      dnsProbe: { host: 'kubernetes.default.svc.cluster.local', timeoutMs: 3_000 },
    });
    expect(spec?.pods).toEqual({ restartThreshold: 3, windowMs: 600_000, unschedulableGraceMs: 120_000 });
  });

  it('is optional (the EKS defaults apply) and names bad fields by path', async () => {
    expect(
      (await loadPlatform(route53Platform)).platforms.get(route53Platform.name)?.foundation,
    ).toBeUndefined();
    const bad = {
      ...foundation,
      components: [...foundation.components, { name: 'dns', kind: 'Pod', namespace: 'x', workload: 'y' }],
      nodes: { expectedReady: -1 },
    };
    const found = await problems({ ...route53Platform, foundation: bad });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^foundation\.components\[3\]\.kind: /),
        expect.stringMatching(/^foundation\.nodes\.expectedReady: /),
      ]),
    );
  });
});
