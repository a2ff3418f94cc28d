/**
 * The Kubernetes side of the world: on blue, the platform's services (one namespace each) and an
 * object that uses an API deprecated in the target (so qualification has a warning to show); on green,
 * the EKS foundation software (CoreDNS, aws-node, kube-proxy) and Ready nodes, as a new EKS cluster has.
 */
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function ignoreExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

function deployment(name: string, image: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

/** A service namespace on blue: a web Deployment, its Service and config, and a deprecated Endpoints object. */
export async function seedServices(blue: KubeConfig, namespace: string): Promise<void> {
  const core = blue.makeApiClient(CoreV1Api);
  const apps = blue.makeApiClient(AppsV1Api);
  await ignoreExists(() =>
    core.createNamespace({ body: { metadata: { name: namespace, labels: { team: 'storefront' } } } }),
  );
  await ignoreExists(() =>
    core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'web-config' }, data: { GREETING: 'hello' } },
    }),
  );
  await ignoreExists(() =>
    apps.createNamespacedDeployment({ namespace, body: deployment('web', 'registry.example/web:2.4.1', 2) }),
  );
  await ignoreExists(() =>
    core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    }),
  );
  // A hand-written Endpoints object, applied with kubectl (core/v1 Endpoints is deprecated since 1.33
  // in favour of EndpointSlice): the removed-API scan should warn about it, not fail.
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'legacy-db', namespace },
    subsets: [{ addresses: [{ ip: '10.0.0.50' }], ports: [{ port: 5432 }] }],
  };
  await ignoreExists(() =>
    core.createNamespacedEndpoints({
      namespace,
      body: {
        ...endpoints,
        metadata: {
          ...endpoints.metadata,
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(endpoints) },
        },
      },
    }),
  );
}

/** What a fresh EKS cluster runs in kube-system, plus Ready nodes. Idempotent. */
export async function seedFoundation(green: KubeConfig, nodes = 2): Promise<void> {
  const core = green.makeApiClient(CoreV1Api);
  const apps = green.makeApiClient(AppsV1Api);
  const namespace = 'kube-system';
  await ignoreExists(() =>
    apps.createNamespacedDeployment({
      namespace,
      body: deployment(
        'coredns',
        '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.4-eksbuild.2',
        2,
      ),
    }),
  );
  for (const [name, image] of [
    ['aws-node', '602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.20.4-eksbuild.2'],
    ['kube-proxy', '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/kube-proxy:v1.36.0-eksbuild.1'],
  ] as const) {
    const labels = { 'k8s-app': name };
    await ignoreExists(() =>
      apps.createNamespacedDaemonSet({
        namespace,
        body: {
          metadata: { name, labels },
          spec: {
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name, image }] } },
          },
        },
      }),
    );
  }
  for (let i = 1; i <= nodes; i++) {
    const name = `ip-10-40-0-${10 + i}.ec2.internal`;
    await ignoreExists(() =>
      core.createNode({ body: { metadata: { name, labels: { 'eks.amazonaws.com/nodegroup': 'general' } } } }),
    );
    await core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                message: 'kubelet is posting ready status',
              },
            ],
          },
        },
      },
      merge,
    );
  }
}
