import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { FleetEvent } from '../../domain/fleet.js';
import type { Chunk } from './event-log.js';
import { fleetRunName } from './fleet-objects.js';
import { apiCode } from './objects.js';

type ConfigMaps = Pick<CoreV1Api, 'createNamespacedConfigMap' | 'readNamespacedConfigMap'>;

/** Marks a sealed page of a fleet run's events (not the run label: lists and the watch skip these). */
export const fleetEventsLabel = 'switchyard.dev/fleet-run-events';

/** The k-th sealed chunk (from 1) of a run's event log. */
export const fleetEventChunkName = (runId: string, k: number) => `${fleetRunName(runId)}.events-${k}`;

/**
 * Seals a chunk of a run's committed events into an immutable ConfigMap owned by the run's ConfigMap
 * (deleting the run deletes its log), so the run's own ConfigMap stays far below the 1 MiB an object
 * may hold however long the run goes on. Found already there, it was sealed by a write that crashed or
 * lost its compare-and-swap after sealing: the same committed events, which is checked, not assumed.
 */
export async function sealFleetChunk(
  core: ConfigMaps,
  namespace: string,
  owner: V1ConfigMap,
  runId: string,
  chunk: Chunk<FleetEvent>,
): Promise<void> {
  const name = fleetEventChunkName(runId, chunk.index);
  const body: V1ConfigMap = {
    metadata: {
      name,
      labels: { [fleetEventsLabel]: String(chunk.index) },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: owner.metadata?.name ?? '',
          uid: owner.metadata?.uid ?? '',
        },
      ],
    },
    immutable: true,
    data: { events: JSON.stringify(chunk.events) },
  };
  try {
    await core.createNamespacedConfigMap({ namespace, body });
    return;
  } catch (error) {
    if (apiCode(error) !== 409) throw error;
  }
  const existing = await core.readNamespacedConfigMap({ namespace, name });
  if (existing.data?.events !== body.data?.events) {
    throw new Error(
      `fleet event chunk ${name} holds other events than the committed ones; refusing to write`,
    );
  }
}

/** The events sealed in chunk k of the run's log. */
export async function readFleetChunk(
  core: ConfigMaps,
  namespace: string,
  runId: string,
  k: number,
): Promise<FleetEvent[]> {
  const map = await core.readNamespacedConfigMap({ namespace, name: fleetEventChunkName(runId, k) });
  return JSON.parse(map.data?.events ?? '[]') as FleetEvent[];
}
