import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { claimFence, configMapObject } from '../../../src/ha/configmap-fence.js';
import { epochAnnotation, fencedWrite, type Leadership, storedEpoch } from '../../../src/ha/fencing.js';
import { FakeObjects, fakeConfigMapApi } from './fake-objects.js';

const namespace = 'switchyard';
const name = 'switchyard-fence';

/** A leader at `epoch` that records when it is told to step down. */
function leaderAt(epoch: number | undefined): Leadership & { stepDowns: string[] } {
  const stepDowns: string[] = [];
  return { epoch, stepDowns, stepDown: (reason) => void stepDowns.push(reason) };
}

async function setup(stampedEpoch?: number) {
  const server = new FakeObjects<V1ConfigMap>();
  const annotations = stampedEpoch === undefined ? {} : { [epochAnnotation]: String(stampedEpoch) };
  await server.create(namespace, { metadata: { name, annotations }, data: { step: '1' } });
  const core = fakeConfigMapApi(server);
  const api = configMapObject(core, namespace, name);
  const stored = () => server.peek(namespace, name);
  const nextStep = (map: V1ConfigMap): V1ConfigMap => ({ ...map, data: { step: '2' } });
  return { server, core, api, stored, nextStep };
}

describe('fencedWrite', () => {
  it('writes the change stamped with our epoch, on the read resourceVersion', async () => {
    const { api, stored, nextStep } = await setup(3);
    const leader = leaderAt(3);
    const result = await fencedWrite(leader, api, await api.read(), nextStep);
    expect(result.outcome).toBe('written');
    expect(stored()?.data).toEqual({ step: '2' });
    expect(storedEpoch(stored() ?? {})).toBe(3);
    expect(leader.stepDowns).toEqual([]);
  });

  it('writes nothing when this replica does not lead', async () => {
    const { api, stored, nextStep } = await setup();
    const result = await fencedWrite(leaderAt(undefined), api, await api.read(), nextStep);
    expect(result).toEqual({ outcome: 'not-leader' });
    expect(stored()?.data).toEqual({ step: '1' });
  });

  it('refuses and steps down when the copy it read already carries a newer epoch', async () => {
    const { api, stored, nextStep } = await setup(5);
    const leader = leaderAt(4);
    const result = await fencedWrite(leader, api, await api.read(), nextStep);
    expect(result).toEqual({ outcome: 'superseded', storedEpoch: 5, ourEpoch: 4 });
    expect(leader.stepDowns).toEqual(['fenced']);
    expect(stored()?.data).toEqual({ step: '1' });
  });

  it('a paused old leader whose copy predates the new leader’s write gets a 409, writes nothing and steps down', async () => {
    const { api, stored, nextStep } = await setup(4);
    const oldLeader = leaderAt(4);
    const readBeforePause = await api.read();
    const newLeader = leaderAt(5);
    expect((await fencedWrite(newLeader, api, await api.read(), (map) => map)).outcome).toBe('written');

    const result = await fencedWrite(oldLeader, api, readBeforePause, nextStep);
    expect(result).toEqual({ outcome: 'superseded', storedEpoch: 5, ourEpoch: 4 });
    expect(oldLeader.stepDowns).toEqual(['fenced']);
    expect(stored()?.data).toEqual({ step: '1' });
    expect(storedEpoch(stored() ?? {})).toBe(5);
  });

  it('a 409 within our own term (a follower changed the object) is a conflict to decide again, not a step-down', async () => {
    const { server, api, stored, nextStep } = await setup(4);
    const leader = leaderAt(4);
    const stale = await api.read();
    const current = await api.read();
    await server.replace(namespace, name, { ...current, data: { step: '1', paused: 'true' } });

    const result = await fencedWrite(leader, api, stale, nextStep);
    expect(result.outcome).toBe('conflict');
    expect(result.outcome === 'conflict' && result.current.data).toEqual({ step: '1', paused: 'true' });
    expect(leader.stepDowns).toEqual([]);
    expect(stored()?.data).toEqual({ step: '1', paused: 'true' });
  });
});

describe('claimFence', () => {
  it('creates the fence when missing and stamps the holder and its epoch; an older leader is then refused', async () => {
    const server = new FakeObjects<V1ConfigMap>();
    const core = fakeConfigMapApi(server);
    const fence = { namespace, name, holder: 'pod-b' };
    expect((await claimFence(leaderAt(2), core, fence)).outcome).toBe('written');
    const stored = server.peek(namespace, name);
    expect(stored?.data).toEqual({ holder: 'pod-b' });
    expect(storedEpoch(stored ?? {})).toBe(2);

    const older = leaderAt(1);
    const result = await claimFence(older, core, { ...fence, holder: 'pod-a' });
    expect(result.outcome).toBe('superseded');
    expect(older.stepDowns).toEqual(['fenced']);
    expect(server.peek(namespace, name)?.data).toEqual({ holder: 'pod-b' });
  });
});
