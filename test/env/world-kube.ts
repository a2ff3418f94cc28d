/**
 * The Kubernetes side of the world: on blue, the platform's services (one namespace each) and an
 * object that uses an API deprecated in the target (so qualification has a warning to show); on green,
 * the foundation software a new EKS cluster runs, with the platform's ingress controller and autoscaler.
 * The nodes are the environment's (kwok-nodes.ts).
 */
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';

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

/**
 * Image tags of the foundation software EKS runs per Kubernetes minor (the add-on tables of the EKS
 * user guide; the autoscaler's minor follows the cluster's), so the worlds look like the real thing.
 */
const ecr = '602401143452.dkr.ecr.us-east-1.amazonaws.com';
export function foundationImages(minor: string): Record<FoundationWorkload, string> {
  return {
    coredns: `${ecr}/eks/coredns:v1.13.2-eksbuild.4`,
    'aws-node': `${ecr}/amazon-k8s-cni:v1.20.4-eksbuild.2`,
    'kube-proxy': `${ecr}/eks/kube-proxy:v${minor}.0-eksbuild.2`,
    'aws-load-balancer-controller': 'public.ecr.aws/eks/aws-load-balancer-controller:v2.13.4',
    'cluster-autoscaler': `registry.k8s.io/autoscaling/cluster-autoscaler:v${minor}.0`,
  };
}

/** The foundation workloads in kube-system, and how the platform files name them for qualification. */
export const foundationWorkloads = [
  { name: 'dns', kind: 'Deployment', workload: 'coredns', replicas: 2 },
  { name: 'cni', kind: 'DaemonSet', workload: 'aws-node' },
  { name: 'kube-proxy', kind: 'DaemonSet', workload: 'kube-proxy' },
  { name: 'ingress', kind: 'Deployment', workload: 'aws-load-balancer-controller', replicas: 2 },
  { name: 'autoscaler', kind: 'Deployment', workload: 'cluster-autoscaler', replicas: 1 },
] as const;
type FoundationWorkload = (typeof foundationWorkloads)[number]['workload'];

/**
 * What a fresh EKS cluster at `minor` runs in kube-system, plus the platform's ingress controller and
 * autoscaler, as real objects: the cluster's controllers make their pods, its scheduler places them on
 * the kwok nodes and kwok runs them. Idempotent.
 */
export async function seedFoundation(cluster: KubeConfig, minor: string): Promise<void> {
  const apps = cluster.makeApiClient(AppsV1Api);
  const namespace = 'kube-system';
  const images = foundationImages(minor);
  for (const component of foundationWorkloads) {
    const image = images[component.workload];
    const labels = { 'k8s-app': component.workload };
    const template = { metadata: { labels }, spec: { containers: [{ name: component.workload, image }] } };
    const metadata = { name: component.workload, labels };
    await ignoreExists(() =>
      component.kind === 'Deployment'
        ? apps.createNamespacedDeployment({
            namespace,
            body: {
              metadata,
              spec: { replicas: component.replicas, selector: { matchLabels: labels }, template },
            },
          })
        : apps.createNamespacedDaemonSet({
            namespace,
            body: { metadata, spec: { selector: { matchLabels: labels }, template } },
          }),
    );
  }
}
