/**
 * Blue and green at their own Kubernetes versions (the sandbox runs blue one minor below green), compared
 * by their own discovery: an API version blue serves and green does not blocks qualification when one
 * of blue's objects was written at it, and the object is named.
 *
 * Between the sandbox's 1.34 and 1.35 no built-in API version stops being served (discovery of the two
 * servers is identical, as the upstream deprecation guide says). The real case for that pair is the one
 * an upgrade meets through its add-ons: green's newer controller installs a CRD that no longer serves an
 * old version, while blue's objects were still applied at it.
 */
import { randomBytes } from 'node:crypto';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterRef } from '../../src/domain/promotion.js';
import { servedApiVersions } from '../../src/providers/kubernetes/deprecations/live.js';
import { checkServedOnGreen } from '../../src/providers/kubernetes/deprecations/served-diff.js';
import { createClusterHealth, defaultEksFoundation } from '../../src/providers/kubernetes/health/index.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { describeWithServers, testEnvironment } from './environment.js';

const suffix = randomBytes(3).toString('hex');
const group = `elbv2-${suffix}.test.k8s.aws`;
const kind = 'TargetGroupBinding';

/** The controller's CRD: blue's release still serves v1alpha1 beside v1beta1; green's serves v1beta1 only. */
function targetGroupBindings(servesAlpha: boolean): V1CustomResourceDefinition {
  const schema = {
    openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  };
  return {
    metadata: { name: `targetgroupbindings.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural: 'targetgroupbindings', singular: 'targetgroupbinding', listKind: `${kind}List` },
      versions: [
        { name: 'v1alpha1', served: servesAlpha, storage: false, schema },
        { name: 'v1beta1', served: true, storage: true, schema },
      ],
    },
  };
}

async function untilServed(config: KubeConfig, apiVersion: string, served: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await servedApiVersions(config)).has(apiVersion) === served) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`discovery never ${served ? 'showed' : 'dropped'} ${apiVersion}`);
}

describeWithServers('API versions blue serves and green does not, from both servers', () => {
  const env = testEnvironment();
  const access = (cluster: ClusterRef) => loadKubeConfig({ path: env.kubeconfigPath, context: cluster.name });
  const blue = access({ name: 'blue' });
  const green = access({ name: 'green' });
  const namespace = `served-${suffix}`;

  beforeAll(async () => {
    await blue.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    await blue.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
    for (const cluster of [blue, green]) {
      await cluster
        .makeApiClient(ApiextensionsV1Api)
        .deleteCustomResourceDefinition({ name: `targetgroupbindings.${group}` })
        .catch(() => undefined);
    }
  });

  it('the sandbox runs blue and green at different minors, and their built-in APIs match', async () => {
    expect(env.kubeVersions.blue.split('.')[1]).toBe(
      String(Number(env.kubeVersions.green.split('.')[1]) - 1),
    );
    const check = await checkServedOnGreen(blue, green);
    expect(check.verdict).toBe('pass');
    expect(check.evidence).toMatch(/^green serves every API version blue serves \(\d+ group\/versions\)$/);
  });

  it("fails qualification naming blue's object written at a version green's CRD no longer serves", async () => {
    await blue
      .makeApiClient(ApiextensionsV1Api)
      .createCustomResourceDefinition({ body: targetGroupBindings(true) });
    await green
      .makeApiClient(ApiextensionsV1Api)
      .createCustomResourceDefinition({ body: targetGroupBindings(false) });
    await untilServed(blue, `${group}/v1alpha1`, true);
    await untilServed(green, `${group}/v1beta1`, true);

    // What `kubectl apply` of a manifest still written at v1alpha1 leaves on blue.
    const manifest = {
      apiVersion: `${group}/v1alpha1`,
      kind,
      metadata: { name: 'web', namespace },
      spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: 'arn:aws:elasticloadbalancing:tg/web' },
    };
    const objects = blue.makeApiClient(KubernetesObjectApi);
    await objects.create(
      {
        ...manifest,
        metadata: {
          ...manifest.metadata,
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) },
        },
      },
      undefined,
      undefined,
      'kubectl-client-side-apply',
    );
    // Another object of the kind, written at the version green serves: not a finding.
    await objects.create(
      { ...manifest, apiVersion: `${group}/v1beta1`, metadata: { name: 'api', namespace } },
      undefined,
      undefined,
      'helm',
    );

    const check = await checkServedOnGreen(blue, green);
    expect(check.verdict).toBe('fail');
    expect(check.evidence).toContain(`green does not serve ${group}/v1alpha1, which blue serves`);
    expect(check.evidence).toContain(
      `${kind} ${namespace}/web (${group}/v1alpha1: field manager kubectl-client-side-apply`,
    );
    expect(check.evidence).toContain(
      `${kind} ${namespace}/web (${group}/v1alpha1: kubectl.kubernetes.io/last-applied-configuration`,
    );
    expect(check.evidence).not.toContain(`${namespace}/api`);

    // Qualification of green's foundation carries the check: it blocks, whatever else passes.
    const health = createClusterHealth({ access, foundation: { ...defaultEksFoundation, components: [] } });
    const qualification = await health.qualifyFoundation({
      green: { name: 'green' },
      blue: { name: 'blue' },
      targetVersion: env.kubeVersions.green,
    });
    expect(qualification.verdict).toBe('fail');
    expect(qualification.checks.find((c) => c.name === 'apis-green-serves')).toMatchObject({
      verdict: 'fail',
      evidence: expect.stringContaining(`${namespace}/web`),
    });
  });
});
