/**
 * How the Kubernetes store keeps a fleet run: one ConfigMap per run, `switchyard-fleet.<run id>`,
 * holding the record, its compare-and-swap version and the newest events of its log, so one write (with
 * the ConfigMap's resourceVersion as precondition) changes the record and appends its events together.
 * Older events are sealed, a chunk at a time, in immutable ConfigMaps (fleet-event-chunks.ts).
 * Labels let `kubectl get configmaps -l switchyard.dev/fleet-run` list the runs and a selector on the
 * state find the unfinished ones. Pure: no API calls here.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import {
  type FleetEvent,
  type FleetRun,
  finishedFleetRunStates,
  fleetRunStates,
  type NewFleetEvent,
} from '../../domain/fleet.js';

export const fleetRunLabel = 'switchyard.dev/fleet-run';
export const fleetStateLabel = 'switchyard.dev/fleet-state';

const namePrefix = 'switchyard-fleet.';
export const fleetRunName = (runId: string) => `${namePrefix}${runId}`;

/** The run id a fleet ConfigMap's name carries, or undefined for any other name. */
export function runIdOf(name: string | undefined): string | undefined {
  return name?.startsWith(namePrefix) ? name.slice(namePrefix.length) : undefined;
}

/** Selects every fleet run's ConfigMap. */
export const everyRunSelector = fleetRunLabel;
/** Selects the ConfigMaps of unfinished runs (what the fleet reconciler drives). */
export const activeRunSelector = `${fleetStateLabel} in (${fleetRunStates
  .filter((state) => !finishedFleetRunStates.has(state))
  .join(',')})`;
export const runsInStateSelector = (state: FleetRun['state']) => `${fleetStateLabel}=${state}`;

/** A sealed chunk of a run's event log, as the run's ConfigMap lists it. */
export interface SealedFleetChunk {
  /** From 1. */
  readonly index: number;
  /** The seq of its last event: a read after a seq skips every chunk that ends at or before it. */
  readonly lastSeq: number;
}

/** The run's event log as its ConfigMap holds it: the unsealed tail, what comes next, the sealed chunks. */
export interface FleetRunLog {
  /** In seq order. */
  readonly tail: readonly FleetEvent[];
  readonly nextSeq: number;
  readonly sealed: readonly SealedFleetChunk[];
}

/** A fleet run's ConfigMap, decoded. */
export interface StoredFleetRun extends FleetRunLog {
  readonly map: V1ConfigMap;
  readonly record: FleetRun;
  readonly version: number;
  /** The leader term that last wrote it (0: none yet), as for promotions: a former leader is fenced. */
  readonly epoch: number;
}

export function decodeFleetRun(map: V1ConfigMap): StoredFleetRun {
  const data = map.data ?? {};
  const tail = JSON.parse(data.events ?? '[]') as FleetEvent[];
  return {
    map,
    record: JSON.parse(data.record ?? 'null') as FleetRun,
    version: Number(data.version),
    epoch: Number(data.epoch ?? 0),
    tail,
    nextSeq: Number(data.nextSeq ?? (tail.at(-1)?.seq ?? 0) + 1),
    sealed: JSON.parse(data.sealed ?? '[]') as SealedFleetChunk[],
  };
}

/** The new events as stored: numbered from `nextSeq` on (seqs count per run, from 1), stamped `at`. */
export function numberedEvents(
  runId: string,
  nextSeq: number,
  events: readonly NewFleetEvent[],
  at: string,
): FleetEvent[] {
  return events.map((e, i) => {
    const event: FleetEvent = {
      seq: nextSeq + i,
      runId,
      at,
      type: e.type,
      message: e.message,
      actor: e.actor,
    };
    return e.data === undefined ? event : { ...event, data: e.data };
  });
}

/** The ConfigMap holding `record` (whose version is the one to store) and its event log. */
export function fleetRunMap(
  record: FleetRun,
  log: FleetRunLog,
  epoch: number,
  resourceVersion?: string,
): V1ConfigMap {
  return {
    metadata: {
      name: fleetRunName(record.id),
      // The id when it can be a label value (63 characters at most), so `-l switchyard.dev/fleet-run=<id>`
      // finds it; an empty value otherwise, which the key selector above still finds.
      labels: { [fleetRunLabel]: labelValue(record.id), [fleetStateLabel]: record.state },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: {
      record: JSON.stringify(record),
      version: String(record.version),
      epoch: String(epoch),
      events: JSON.stringify(log.tail),
      nextSeq: String(log.nextSeq),
      sealed: JSON.stringify(log.sealed),
    },
  };
}

function labelValue(id: string): string {
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(id) ? id : '';
}
