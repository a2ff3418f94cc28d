import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { FleetEvent } from '../../domain/fleet.js';
import { readSealedEvents, sealEvents } from './event-chunks.js';
import type { Chunk } from './event-log.js';
import { fleetRunName } from './fleet-objects.js';

type ConfigMaps = Pick<CoreV1Api, 'createNamespacedConfigMap' | 'readNamespacedConfigMap'>;

/** Marks a sealed page of a fleet run's events (not the run label: lists and the watch skip these). */
export const fleetEventsLabel = 'switchyard.dev/fleet-run-events';

/** The k-th sealed chunk (from 1) of a run's event log. */
export const fleetEventChunkName = (runId: string, k: number) => `${fleetRunName(runId)}.events-${k}`;

/**
 * Seals a chunk of a run's committed events, owned by the run's ConfigMap (deleting the run deletes its
 * log), so the run's own ConfigMap stays far below the 1 MiB an object may hold however long it goes on.
 */
export function sealFleetChunk(
  core: ConfigMaps,
  namespace: string,
  owner: V1ConfigMap,
  runId: string,
  chunk: Chunk<FleetEvent>,
): Promise<void> {
  const target = {
    name: fleetEventChunkName(runId, chunk.index),
    labels: { [fleetEventsLabel]: String(chunk.index) },
    owner: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: owner.metadata?.name ?? '',
      uid: owner.metadata?.uid ?? '',
    },
  };
  return sealEvents(core, namespace, target, chunk.events);
}

/** The events sealed in chunk k of the run's log. */
export function readFleetChunk(
  core: ConfigMaps,
  namespace: string,
  runId: string,
  k: number,
): Promise<FleetEvent[]> {
  return readSealedEvents<FleetEvent>(core, namespace, fleetEventChunkName(runId, k));
}
