import {
  ApiException,
  ApiextensionsV1Api,
  type KubeConfig,
  loadYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { crdFiles } from '../../src/kube-native/crds.js';

/**
 * Installs the switchyard.dev CRDs on a cluster (kept when already there) and waits until the apiserver
 * serves them. loadYaml gives typed objects: the client keeps their x-kubernetes-* keys, which it drops
 * from plain objects.
 */
export async function installCrds(kubeConfig: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = Object.values(crdFiles()).map((text) => loadYaml<V1CustomResourceDefinition>(text));
  for (const body of crds) {
    try {
      await extensions.createCustomResourceDefinition({ body });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const read = await extensions.readCustomResourceDefinition({ name });
      if (read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not established in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
