import { ProviderError } from '../../../domain/errors.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { KindNotServedError, type KubeClient } from './client.js';
import { kubeError } from './errors.js';
import { describeObject, type KubeObject } from './objects.js';

/** Applies run this many at a time; enough to be quick, few enough not to be throttled. */
const concurrency = 4;

export interface ApplyOptions {
  /** Whether "kind not served" may be temporary for this object (its CRD was applied in an earlier wave). */
  readonly mayBeEstablishing?: (object: KubeObject) => boolean;
}

/**
 * Server-side applies `waves` in order, the objects of one wave a few at a time; a wave starts when the
 * one before is done (namespaces before what lives in them). A namespaced object with no namespace goes
 * to "default", as with kubectl. Stops at the first failure, which names the cluster and the object.
 */
export async function applyWaves(
  client: KubeClient,
  cluster: ClusterRef,
  waves: readonly (readonly KubeObject[])[],
  options: ApplyOptions = {},
): Promise<void> {
  for (const wave of waves) {
    await forEachLimited(wave, concurrency, async (object) => {
      try {
        const resource = await client.resource(object.apiVersion, object.kind);
        const target =
          resource.namespaced && !object.metadata.namespace
            ? { ...object, metadata: { ...object.metadata, namespace: 'default' } }
            : object;
        await client.apply(target);
      } catch (error) {
        if (error instanceof KindNotServedError && options.mayBeEstablishing?.(object)) {
          throw new ProviderError(
            `cluster ${cluster.name}: cannot apply ${describeObject(object)} yet: ${error.message} (its CustomResourceDefinition may still be being established)`,
            true,
            { cause: error },
          );
        }
        throw kubeError(cluster, `apply ${describeObject(object)}`, error);
      }
    });
  }
}

/**
 * Runs `work` on every item, at most `limit` at once. After the first failure no new item starts; the
 * ones running are awaited, then the first failure is thrown.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
