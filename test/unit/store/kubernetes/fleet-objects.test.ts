import { describe, expect, it } from 'vitest';
import {
  activeRunSelector,
  decodeFleetRun,
  fleetRunLabel,
  fleetRunMap,
  fleetStateLabel,
  numberedEvents,
  runIdOf,
} from '../../../../src/store/kubernetes/fleet-objects.js';
import { aFleetEvent, aFleetRun } from '../fleet-fixtures.js';

describe('a fleet run as a ConfigMap', () => {
  it('round-trips the record and its log through the ConfigMap', () => {
    const record = { ...aFleetRun(), version: 3 };
    const tail = numberedEvents(record.id, 7, [aFleetEvent('fleet.paused', { why: 'x' })], 'now');
    const log = { tail, nextSeq: 8, sealed: [{ index: 1, lastSeq: 6 }] };
    const map = fleetRunMap(record, log, 5, '42');
    expect(map.metadata).toMatchObject({ name: 'switchyard-fleet.fr-1', resourceVersion: '42' });
    expect(decodeFleetRun(map)).toEqual({ map, record, version: 3, epoch: 5, ...log });
    expect(tail).toEqual([
      {
        seq: 7,
        runId: 'fr-1',
        at: 'now',
        type: 'fleet.paused',
        message: 'fleet.paused happened',
        actor: 'alice',
        data: { why: 'x' },
      },
    ]);
  });

  it('labels it with the run id when that can be a label value, and always with the state', () => {
    const empty = {
      tail: [],
      nextSeq: 1,
      sealed: [],
    };
    const short = fleetRunMap(aFleetRun({ id: 'fr-2031-01-01', state: 'paused' }), empty, 0);
    expect(short.metadata?.labels).toEqual({ [fleetRunLabel]: 'fr-2031-01-01', [fleetStateLabel]: 'paused' });
    // 64 characters: a valid ConfigMap name but too long for a label value; the key alone still selects it.
    const long = fleetRunMap(aFleetRun({ id: 'r'.repeat(64) }), { tail: [], nextSeq: 1, sealed: [] }, 0);
    expect(long.metadata?.labels?.[fleetRunLabel]).toBe('');
  });

  it('tells run ConfigMaps from others by name, and selects the unfinished states only', () => {
    expect(runIdOf('switchyard-fleet.fr-1')).toBe('fr-1');
    expect(runIdOf('switchyard-platform.payments')).toBeUndefined();
    expect(runIdOf(undefined)).toBeUndefined();
    expect(activeRunSelector).toBe(`${fleetStateLabel} in (running,paused,stopping)`);
  });

  it('reads a ConfigMap written before sealing and fencing: the next seq follows the tail, no epoch yet', () => {
    const map = fleetRunMap({ ...aFleetRun(), version: 1 }, { tail: [], nextSeq: 1, sealed: [] }, 0);
    const tail = numberedEvents(
      'fr-1',
      1,
      [aFleetEvent('fleet.created'), aFleetEvent('fleet.paused')],
      'now',
    );
    const old = {
      ...map,
      data: { record: map.data?.record ?? '', version: '1', events: JSON.stringify(tail) },
    };
    expect(decodeFleetRun(old)).toMatchObject({ nextSeq: 3, sealed: [], epoch: 0, tail });
  });
});
