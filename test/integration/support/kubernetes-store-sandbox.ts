import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { loadKubeConfig } from '../../../src/providers/kubernetes/kubeconfig.js';
import { type PromotionResource, promotionResources } from '../../../src/store/kubernetes/objects.js';
import {
  type KubernetesStore,
  type KubernetesStoreOptions,
  openKubernetesStore,
} from '../../../src/store/kubernetes/store.js';
import { storeNow } from '../../unit/store/fixtures.js';
import { testEnvironment } from '../environment.js';
import { switchyardCrds } from './switchyard-crds.js';

/**
 * The Kubernetes store's test bed for one test file: the green sandbox cluster plays the management
 * cluster, with the switchyard.dev CRDs installed for the file, fresh namespaces (each an empty store)
 * and replicas' stores on them; all of it removed after the file. Call it inside the file's describe.
 */
export function kubernetesStoreSandbox() {
  const config = loadKubeConfig({ path: testEnvironment().kubeconfigPath, context: 'green' });
  const core = config.makeApiClient(CoreV1Api);
  const objects = config.makeApiClient(CustomObjectsApi);
  const crds = switchyardCrds(config);
  const namespaces: string[] = [];
  const opened: KubernetesStore[] = [];

  beforeAll(() => crds.install());
  afterAll(async () => {
    for (const store of opened) await store.close();
    for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
    await crds.remove();
  });

  return {
    config,
    core,
    objects,

    /** A fresh namespace: an empty store. Deleted after the file, with all it holds. */
    async freshNamespace(): Promise<string> {
      const name = `store-${randomBytes(4).toString('hex')}`;
      await core.createNamespace({ body: { metadata: { name } } });
      namespaces.push(name);
      return name;
    },

    /** A replica's store on `namespace`, on the contract's clock, closed after the file. */
    async replica(
      namespace: string,
      options: Partial<KubernetesStoreOptions> = {},
    ): Promise<KubernetesStore> {
      const store = await openKubernetesStore({
        kubeConfig: config,
        namespace,
        now: () => storeNow,
        ...options,
      });
      opened.push(store);
      return store;
    },

    /** The Promotion resource as the apiserver has it now. */
    read: async (namespace: string, name: string) =>
      (await objects.getNamespacedCustomObject({
        ...promotionResources,
        namespace,
        name,
      })) as PromotionResource,
  };
}
