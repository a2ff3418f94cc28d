import { ApiException, type CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { type FencedObjectApi, type FencedWriteResult, fencedWrite, type Leadership } from './fencing.js';

type ConfigMapCalls = Pick<CoreV1Api, 'readNamespacedConfigMap' | 'replaceNamespacedConfigMap'>;

/** One ConfigMap as a fenced object. */
export function configMapObject(
  core: ConfigMapCalls,
  namespace: string,
  name: string,
): FencedObjectApi<V1ConfigMap> {
  return {
    read: () => core.readNamespacedConfigMap({ namespace, name }),
    replace: (body) => core.replaceNamespacedConfigMap({ namespace, name, body }),
  };
}

/**
 * A new leader's first act: stamp its epoch on the fence ConfigMap (created if missing), so a stale
 * leader's next write there is refused. The ConfigMap's `holder` says which replica stamped it, for
 * people reading it. Anything but 'written' means this replica must not act (it stepped down when a
 * newer leader had claimed it; 'conflict' after a few tries means the map keeps changing under us).
 */
export async function claimFence(
  leader: Leadership,
  core: ConfigMapCalls & Pick<CoreV1Api, 'createNamespacedConfigMap'>,
  fence: { namespace: string; name: string; holder: string },
): Promise<FencedWriteResult<V1ConfigMap>> {
  const { namespace, name, holder } = fence;
  const object = configMapObject(core, namespace, name);
  let current: V1ConfigMap;
  try {
    current = await object.read();
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
    current = await createIfMissing(core, { metadata: { namespace, name } });
  }
  const stamp = (map: V1ConfigMap): V1ConfigMap => ({ ...map, data: { ...map.data, holder } });
  // A conflict within our term (another replica creating the empty map) is retried on the fresh copy.
  for (let attempt = 1; ; attempt++) {
    const result = await fencedWrite(leader, object, current, stamp);
    if (result.outcome !== 'conflict' || attempt === claimAttempts) return result;
    current = result.current;
  }
}

const claimAttempts = 3;

/** Creates the empty ConfigMap; when another replica just did, returns theirs. */
async function createIfMissing(
  core: Parameters<typeof claimFence>[1],
  body: V1ConfigMap,
): Promise<V1ConfigMap> {
  const namespace = body.metadata?.namespace ?? '';
  try {
    return await core.createNamespacedConfigMap({ namespace, body });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
    return core.readNamespacedConfigMap({ namespace, name: body.metadata?.name ?? '' });
  }
}
