import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/domain/errors.js';
import type { Promotion } from '../../../../src/domain/promotion.js';
import {
  MarkedSpecs,
  observedSpec,
  observedSpecAnnotation,
  observedSpecText,
} from '../../../../src/kube-native/gitops/observed-spec.js';
import type { ManagedFieldsEntry, PromotionResource } from '../../../../src/kube-native/gitops/resource.js';
import {
  handlePromotionResource,
  type ResourcePorts,
  retryHint,
} from '../../../../src/kube-native/gitops/resource-handler.js';
import { fakeCatalog } from '../../../fakes/catalog.js';
import { engineHarness } from '../../../fakes/harness.js';

const applier = {
  manager: 'kubectl-client-side-apply',
  operation: 'Update',
  time: '2026-11-27T10:00:00Z',
  fieldsV1: { 'f:spec': { 'f:platform': {}, 'f:targetVersion': {} } },
};
const patcher = (field: string) => ({
  manager: 'kubectl-patch',
  operation: 'Update',
  time: '2026-11-27T10:05:00Z',
  fieldsV1: { 'f:spec': { [`f:${field}`]: {} } },
});

/**
 * The real Controller on the memory store and fake cloud, with the two resource writes recorded: the
 * Warning Events, and the observed-spec marks, which also land on `copy` as the apiserver would keep them.
 */
function world() {
  const h = engineHarness();
  const catalog = fakeCatalog(h.providers);
  const warnings: { name: string; reason: string; message: string }[] = [];
  const marks: { name: string; generation: number; spec: object }[] = [];
  let remembered = new MarkedSpecs();
  let requests = 0;
  const ports: ResourcePorts = {
    controller: h.controller,
    catalog: {
      newPromotion: (request) => {
        requests += 1;
        return catalog.newPromotion(request);
      },
    },
    log: pino({ level: 'silent' }),
    warn: async (resource, reason, message) => {
      warnings.push({ name: resource.metadata.name, reason, message });
    },
    markObserved: async (resource, generation, spec) => {
      marks.push({ name: resource.metadata.name, generation, spec });
      remembered.remember(resource, observedSpec(generation, spec));
    },
    remember: (resource, generation, spec) => remembered.remember(resource, observedSpec(generation, spec)),
    lastMarked: (resource) => remembered.of(resource),
  };
  /** A restart of the controller: what it remembered is gone, the annotations stay. */
  const restart = () => {
    remembered = new MarkedSpecs();
  };
  /** The resource as the apiserver would now return it: the last mark, the store's status. */
  const copy = async (
    name: string,
    spec: Record<string, unknown>,
    generation: number,
    managedFields: readonly ManagedFieldsEntry[] = [applier],
  ): Promise<PromotionResource> => {
    const mark = marks.findLast((m) => m.name === name);
    const stored = await h.store.get(name);
    return {
      metadata: {
        name,
        generation,
        managedFields,
        ...(mark
          ? { annotations: { [observedSpecAnnotation]: observedSpecText(mark.generation, mark.spec) } }
          : {}),
      },
      spec: { platform: 'shop', targetVersion: '1.35', ...spec },
      ...(stored ? { status: { storage: { version: stored.version }, traffic: stored.traffic } } : {}),
    };
  };
  const handle = (resource: PromotionResource) => handlePromotionResource(resource, ports);
  return { h, warnings, marks, copy, handle, ports, restart, requests: () => requests };
}

async function phase(h: ReturnType<typeof engineHarness>, id: string): Promise<Promotion['phase']> {
  return (await h.get(id)).phase;
}

describe('GitOps: a Promotion resource a person applied', () => {
  it('starts the promotion it asks for, named by the resource, created by its field manager', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    const started = await w.h.get('shop-1-35');
    expect(started).toMatchObject({
      id: 'shop-1-35',
      toVersion: '1.35',
      createdBy: 'kubernetes:kubectl-client-side-apply',
    });
    expect(w.warnings).toEqual([]);
    // Its spec asks for nothing more: nothing is written on the resource (a write there would make the
    // store's next status write lose its compare-and-swap).
    expect(w.marks).toEqual([]);
    // A copy from before the store's write (the watch lags behind): not requested again.
    const request = await w.copy('shop-1-35', {}, 1);
    await w.handle({ metadata: request.metadata, spec: request.spec });
    expect(w.requests()).toBe(1);
    // After a restart, the copy with the store's status asks for nothing either.
    w.restart();
    await w.handle(request);
    expect(w.requests()).toBe(1);
    expect(w.marks).toEqual([]);
  });

  it('acts on the actions its spec already carries once started', async () => {
    const w = world();
    const applied = { ...applier, fieldsV1: { 'f:spec': { ...applier.fieldsV1['f:spec'], 'f:paused': {} } } };
    await w.handle(await w.copy('shop-1-35', { paused: true }, 1, [applied]));
    const paused = await w.h.get('shop-1-35');
    expect(paused.phase).toBe('paused');
    expect(paused.pauseReason).toBe('spec.paused set by kubernetes:kubectl-client-side-apply');
  });

  it('a refusal is a Warning Event, and the request waits for its next spec edit', async () => {
    const w = world();
    const unknown = {
      metadata: { name: 'web-1-35', generation: 1 },
      spec: { platform: 'web', targetVersion: '1.35' },
    };
    await w.handle(unknown);
    expect(w.warnings).toEqual([
      { name: 'web-1-35', reason: 'PromotionRefused', message: `platform "web" not found; ${retryHint}` },
    ]);
    expect(w.marks).toEqual([{ name: 'web-1-35', generation: 1, spec: {} }]);

    // Another promotion of the platform is under way: refused, saying which.
    await w.handle(await w.copy('shop-1-35', {}, 1));
    await w.handle(await w.copy('shop-again', {}, 1));
    expect(w.warnings.at(-1)).toEqual({
      name: 'shop-again',
      reason: 'PromotionRefused',
      message: `platform "shop" already has an active promotion: shop-1-35; ${retryHint}`,
    });
    const requests = w.requests();
    // Seen again at the same generation (a relist, another leader): not tried again.
    await w.handle(await w.copy('shop-again', {}, 1));
    expect(w.requests()).toBe(requests);
    // Once shop-1-35 is over and the request's spec is edited, it is tried again, and starts.
    await w.h.controller.rollback('shop-1-35', { by: 'ann', reason: 'stop' });
    await w.h.drive('shop-1-35');
    expect(await phase(w.h, 'shop-1-35')).toBe('rolled-back');
    await w.handle(await w.copy('shop-again', { paused: false }, 2, [applier, patcher('paused')]));
    expect(await phase(w.h, 'shop-again')).toBe('running');
  });

  it('refuses an invalid spec naming the field', async () => {
    const w = world();
    await w.handle({
      metadata: { name: 'bad', generation: 1 },
      spec: { platform: 'shop', targetVersion: '1.x' },
    });
    expect(w.warnings).toEqual([
      {
        name: 'bad',
        reason: 'PromotionRefused',
        message: expect.stringMatching(/^spec\.targetVersion: must be .*; to try again, delete/),
      },
    ]);
  });

  it('leaves alone an API create whose status is not written yet', async () => {
    const w = world();
    await w.handle({
      metadata: { name: 'shop-api', generation: 1, annotations: { 'switchyard.dev/origin': 'api' } },
      spec: { platform: 'shop', targetVersion: '1.35' },
    });
    expect(w.requests()).toBe(0);
    expect(w.marks).toEqual([]);
    expect(await w.h.store.get('shop-api')).toBeUndefined();
  });

  it('an accident is thrown to be tried again, with nothing recorded', async () => {
    const w = world();
    w.ports.catalog.newPromotion = async () => {
      throw new ProviderError('EKS: throttled', true);
    };
    await expect(w.handle(await w.copy('shop-1-35', {}, 1))).rejects.toThrow('EKS: throttled');
    expect(w.marks).toEqual([]);
    expect(w.warnings).toEqual([]);
  });
});

describe('GitOps: spec edits of a promotion act as the REST calls', () => {
  it('pause and resume on the edit, never again because the spec still says so', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    await w.handle(await w.copy('shop-1-35', { paused: true }, 2, [applier, patcher('paused')]));
    const paused = await w.h.get('shop-1-35');
    expect(paused.phase).toBe('paused');
    expect(paused.pauseReason).toBe('spec.paused set by kubernetes:kubectl-patch');
    expect((await w.h.store.events('shop-1-35')).at(-1)).toMatchObject({
      type: 'promotion.paused',
      actor: 'kubernetes:kubectl-patch',
    });

    await w.handle(await w.copy('shop-1-35', { paused: false }, 3, [applier, patcher('paused')]));
    expect(await phase(w.h, 'shop-1-35')).toBe('running');
    // A person pauses over REST; the spec still says paused: false, and that is not undone.
    await w.h.controller.pause('shop-1-35', 'ann', 'looking at graphs');
    await w.handle(await w.copy('shop-1-35', { paused: false }, 3, [applier, patcher('paused')]));
    expect(await phase(w.h, 'shop-1-35')).toBe('paused');
    expect(w.warnings).toEqual([]);
  });

  it('a copy from before its own mark (the watch delivers the store write first) is not acted on again', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    const edited = await w.copy('shop-1-35', { paused: true }, 2, [applier, patcher('paused')]);
    await w.handle(edited);
    const paused = await w.h.get('shop-1-35');
    // The same generation without the mark: what the watch shows of the store's status write.
    await w.handle(edited);
    expect((await w.h.get('shop-1-35')).version).toBe(paused.version);
    expect(w.warnings).toEqual([]);
  });

  it('a rollback acts once; a repeat after a crash before the mark is refused and changes nothing', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    const edited = await w.copy('shop-1-35', { rollback: { reason: 'errors on green' } }, 2, [
      applier,
      patcher('rollback'),
    ]);
    await w.handle(edited);
    const rolling = await w.h.get('shop-1-35');
    expect(rolling.phase).toBe('rolling-back');
    expect(rolling.rollback).toMatchObject({
      requestedBy: 'kubernetes:kubectl-patch',
      reason: 'errors on green',
    });

    // The same unmarked copy again, as after a restart between acting and marking.
    w.restart();
    await w.handle({ ...edited, status: { storage: {} } });
    const again = await w.h.get('shop-1-35');
    expect(again.version).toBe(rolling.version);
    expect(w.warnings).toEqual([
      {
        name: 'shop-1-35',
        reason: 'SpecActionRefused',
        message: 'spec.rollback: cannot roll back promotion shop-1-35: a rollback is already in progress',
      },
    ]);
    expect(w.marks.at(-1)).toMatchObject({ generation: 2 });
  });

  it('a pause repeated after a crash before the mark is refused and changes nothing', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    const edited = await w.copy('shop-1-35', { paused: true }, 2, [applier, patcher('paused')]);
    await w.handle(edited);
    const paused = await w.h.get('shop-1-35');
    w.restart();
    await w.handle(edited);
    expect((await w.h.get('shop-1-35')).version).toBe(paused.version);
    expect(w.warnings.map((warning) => warning.message)).toEqual([
      'spec.paused: cannot pause promotion shop-1-35: it is already paused (spec.paused set by kubernetes:kubectl-patch)',
    ]);
  });

  it('a manual weight is set once; a repeat with the weight on the record is a no-op', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    await w.h.drive('shop-1-35', { until: (p) => p.traffic.green === 10 });
    const edited = await w.copy('shop-1-35', { weight: { green: 30 } }, 2, [applier, patcher('weight')]);
    await w.handle(edited);
    const set = await w.h.get('shop-1-35');
    expect(set.traffic.manualChange).toMatchObject({ green: 30, by: 'kubernetes:kubectl-patch' });
    // Crash before the mark, restart: the copy now carries the record's traffic and no mark.
    const repeat = await w.copy('shop-1-35', { weight: { green: 30 } }, 2, [applier, patcher('weight')]);
    w.restart();
    await w.handle({ ...repeat, metadata: { ...repeat.metadata, annotations: {} } });
    expect((await w.h.get('shop-1-35')).version).toBe(set.version);
    // Also after the weight was applied and the promotion still sits on it.
    await w.h.drive('shop-1-35');
    const applied = await w.h.get('shop-1-35');
    expect(applied.traffic).toMatchObject({ green: 30, manual: true });
    const unmarked = await w.copy('shop-1-35', { weight: { green: 30 } }, 2, [applier, patcher('weight')]);
    w.restart();
    await w.handle({ ...unmarked, metadata: { ...unmarked.metadata, annotations: {} } });
    expect((await w.h.get('shop-1-35')).version).toBe(applied.version);
    expect(w.warnings).toEqual([]);
  });

  it('an action the promotion state refuses is a Warning Event, and is marked observed', async () => {
    const w = world();
    await w.handle(await w.copy('shop-1-35', {}, 1));
    await w.h.controller.rollback('shop-1-35', { by: 'ann', reason: 'stop' });
    await w.h.drive('shop-1-35');
    await w.handle(await w.copy('shop-1-35', { paused: true }, 2, [applier, patcher('paused')]));
    expect(w.warnings).toEqual([
      {
        name: 'shop-1-35',
        reason: 'SpecActionRefused',
        message: 'spec.paused: cannot pause promotion shop-1-35: it has already finished (rolled-back)',
      },
    ]);
    expect(w.marks.at(-1)).toEqual({
      name: 'shop-1-35',
      generation: 2,
      spec: { paused: true },
    });
  });
});
