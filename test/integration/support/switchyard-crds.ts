import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  loadYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { crdFiles } from '../../../src/kube-native/crds.js';
import { waitFor } from './wait-for.js';

/**
 * Installs the committed switchyard.dev CRDs on the sandbox apiserver for one test file, and removes
 * them afterwards (they are cluster-wide, and other files install them too). Waits for each to be
 * established, and on removal for each to be gone, so the next file can install them again.
 */
export function switchyardCrds(config: KubeConfig) {
  const extensions = config.makeApiClient(ApiextensionsV1Api);
  // loadYaml makes the client's typed model: a plain object would lose the x-kubernetes-* keys.
  const crds = Object.keys(crdFiles()).map((name) =>
    loadYaml<V1CustomResourceDefinition>(
      readFileSync(new URL(`../../../deploy/crds/${name}`, import.meta.url), 'utf8'),
    ),
  );
  const nameOf = (crd: V1CustomResourceDefinition) => crd.metadata?.name ?? '';
  const gone = (name: string) =>
    waitFor(
      () =>
        extensions.readCustomResourceDefinition({ name }).then(
          () => false,
          (error: { code?: number }) => error.code === 404,
        ),
      `CRD ${name} to be removed`,
    );

  return {
    async install(): Promise<void> {
      for (const crd of crds) {
        // One left by a file that did not wait for its removal may still be terminating.
        await gone(nameOf(crd));
        await extensions.createCustomResourceDefinition({ body: crd });
      }
      for (const crd of crds) {
        await waitFor(
          async () => {
            const read = await extensions.readCustomResourceDefinition({ name: nameOf(crd) });
            return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
          },
          `CRD ${nameOf(crd)} to be established`,
        );
      }
    },
    async remove(): Promise<void> {
      for (const crd of crds) await extensions.deleteCustomResourceDefinition({ name: nameOf(crd) });
      for (const crd of crds) await gone(nameOf(crd));
    },
  };
}
