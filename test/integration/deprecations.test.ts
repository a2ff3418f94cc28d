import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { beforeAll, expect, it } from 'vitest';
import { lastAppliedAnnotation } from '../../src/providers/kubernetes/deprecations/live.js';
import { scanRemovedApis } from '../../src/providers/kubernetes/deprecations/scan.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { describeWithServers, testEnvironment } from './environment.js';

/** Helm 3's encoding (base64 of gzipped JSON), base64-encoded again as Secret data travels over the API. */
const helmSecretValue = (release: object) =>
  Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64');

/** What `kubectl apply` leaves on an object, for a manifest written at `apiVersion`. */
const applied = (apiVersion: string, kind: string, name: string, namespace: string, spec: object = {}) => ({
  [lastAppliedAnnotation]: JSON.stringify({
    apiVersion,
    kind,
    metadata: { name, namespace, annotations: {} },
    spec,
  }),
});

describeWithServers('removed-API scan against the blue cluster (Kubernetes 1.34)', () => {
  const suffix = randomBytes(3).toString('hex');
  const ns = { old: `depr-old-${suffix}`, clean: `depr-clean-${suffix}`, warn: `depr-warn-${suffix}` };
  let blue: KubeConfig;

  const helmRelease = async (
    namespace: string,
    name: string,
    version: number,
    status: string,
    manifest: string,
  ) => {
    const release = { name, namespace, version, info: { status }, manifest, hooks: [] };
    await blue.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace,
      body: {
        metadata: {
          name: `sh.helm.release.v1.${name}.v${version}`,
          labels: { owner: 'helm', name, status, version: `${version}` },
        },
        type: 'helm.sh/release.v1',
        data: { release: helmSecretValue(release) },
      },
    });
  };

  beforeAll(async () => {
    blue = loadKubeConfig({ path: testEnvironment().kubeconfigPath, context: 'blue' });
    const core = blue.makeApiClient(CoreV1Api);
    for (const name of Object.values(ns)) await core.createNamespace({ body: { metadata: { name } } });

    // 1.35 serves none of the old versions, so these are written at current versions; their
    // last-applied annotations say what the manifests (applied back when blue was older) still say.
    const namespace = ns.old;
    const labels = { app: 'web' };
    await blue.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: {
        metadata: {
          name: 'web',
          annotations: applied('autoscaling/v2beta2', 'HorizontalPodAutoscaler', 'web', namespace),
        },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 },
      },
    });
    await blue.makeApiClient(BatchV1Api).createNamespacedCronJob({
      namespace,
      body: {
        metadata: { name: 'nightly', annotations: applied('batch/v1beta1', 'CronJob', 'nightly', namespace) },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  restartPolicy: 'Never',
                  containers: [{ name: 'job', image: 'registry.example/job:1' }],
                },
              },
            },
          },
        },
      },
    });
    await blue.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace,
      body: {
        metadata: {
          name: 'web',
          annotations: applied('policy/v1beta1', 'PodDisruptionBudget', 'web', namespace),
        },
        spec: { minAvailable: 1, selector: { matchLabels: labels } },
      },
    });
    // Revision 1 (superseded) used a long-gone Deployment version; only the deployed revision 2 counts.
    await helmRelease(
      namespace,
      'shop',
      1,
      'superseded',
      'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: shop\n',
    );
    await helmRelease(
      namespace,
      'shop',
      2,
      'deployed',
      [
        '---\n# Source: shop/templates/pdb.yaml\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: shop\nspec:\n  minAvailable: 1\n',
        '---\n# Source: shop/templates/ingress.yaml\napiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: shop\nspec:\n  backend:\n    serviceName: shop\n    servicePort: 80\n',
        '---\n# Source: shop/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n',
      ].join(''),
    );

    // Clean: current versions everywhere.
    await blue.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: ns.clean,
      body: {
        metadata: { name: 'web', annotations: applied('apps/v1', 'Deployment', 'web', ns.clean) },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] },
          },
        },
      },
    });
    await helmRelease(
      ns.clean,
      'web',
      1,
      'deployed',
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n',
    );

    // Warn only: a hand-managed Endpoints object (v1 Endpoints is deprecated since 1.33, still served).
    await core.createNamespacedEndpoints({
      namespace: ns.warn,
      body: {
        metadata: { name: 'legacy-db', annotations: applied('v1', 'Endpoints', 'legacy-db', ns.warn) },
        subsets: [{ addresses: [{ ip: '10.0.0.10' }], ports: [{ port: 5432 }] }],
      },
    });
  });

  it('fails for 1.35, naming every object that still says a removed apiVersion and its replacement', async () => {
    const scan = await scanRemovedApis({ blue, targetVersion: 'v1.35.4', namespaces: [ns.old] });
    const [check] = scan.checks;
    expect(check).toMatchObject({ name: 'removed-apis', verdict: 'fail' });
    const evidence = check?.evidence ?? '';
    expect(evidence).toMatch(
      /^5 object\(s\) use APIs that Kubernetes 1\.35 no longer serves \(3 objects, 1 helm releases scanned\):/,
    );
    for (const expected of [
      `- HorizontalPodAutoscaler ${ns.old}/web: autoscaling/v2beta2 (removed in 1.26), seen in last-applied: `,
      `- CronJob ${ns.old}/nightly: batch/v1beta1 (removed in 1.25)`,
      `- PodDisruptionBudget ${ns.old}/web: policy/v1beta1 (removed in 1.25)`,
      `- PodDisruptionBudget ${ns.old}/shop: policy/v1beta1 (removed in 1.25), seen in helm: release ${ns.old}/shop revision 2 -> use policy/v1 (`,
      `- Ingress ${ns.old}/shop: networking.k8s.io/v1beta1 (removed in 1.22), seen in helm: release ${ns.old}/shop revision 2 -> use networking.k8s.io/v1 (`,
    ]) {
      expect(evidence).toContain(expected);
    }
    expect(evidence).toMatch(/HorizontalPodAutoscaler .* -> use autoscaling\/v2 \(/);
    expect(evidence).toMatch(/CronJob .* -> use batch\/v1 \(/);
    expect(evidence).not.toContain('extensions/v1beta1'); // the superseded revision is history
    expect(scan.findings.map((f) => f.source).sort()).toEqual([
      'helm',
      'helm',
      'last-applied',
      'last-applied',
      'last-applied',
    ]);
    expect(scan.warnings).toEqual([]);
  });

  it('passes a namespace that uses current APIs only, counting what it read', async () => {
    const scan = await scanRemovedApis({ blue, targetVersion: '1.35', namespaces: [ns.clean] });
    expect(scan.checks).toEqual([
      {
        name: 'removed-apis',
        verdict: 'pass',
        // The Deployment, and the ReplicaSet blue's Deployment controller made for it.
        evidence: 'no removed APIs in use (2 objects, 1 helm releases scanned)',
      },
    ]);
    expect(scan.warnings).toEqual([]);
    expect(scan.findings).toEqual([]);
  });

  it('passes but warns for an API deprecated in 1.33 and still served in 1.35', async () => {
    const scan = await scanRemovedApis({ blue, targetVersion: '1.35.0-eks-1234', namespaces: [ns.warn] });
    expect(scan.checks[0]?.verdict).toBe('pass');
    expect(scan.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Endpoints ${ns.warn}/legacy-db uses v1 .*deprecated since 1\\.33, still served: use discovery\\.k8s\\.io/v1 EndpointSlice`,
        ),
      ),
    ]);
  });

  it('scans the whole cluster, cluster-scoped kinds included, when no namespaces are given', async () => {
    const scan = await scanRemovedApis({ blue, targetVersion: '1.35' });
    expect(scan.checks[0]?.verdict).toBe('fail');
    const names = scan.findings.map((f) => `${f.object.kind} ${f.object.namespace}/${f.object.name}`);
    expect(names).toEqual(expect.arrayContaining([`CronJob ${ns.old}/nightly`, `Ingress ${ns.old}/shop`]));
    // The warning namespace is part of the cluster too.
    expect(scan.warnings.some((w) => w.startsWith(`Endpoints ${ns.warn}/legacy-db`))).toBe(true);
  });
});
