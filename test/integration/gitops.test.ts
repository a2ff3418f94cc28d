import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Promotion } from '../../src/domain/promotion.js';
import { crdApiVersion, crdGroup, crdVersion, promotionNames } from '../../src/kube-native/crds.js';
import { observedSpecAnnotation } from '../../src/kube-native/gitops/observed-spec.js';
import { kubePromotionSource } from '../../src/kube-native/gitops/promotion-source.js';
import type { PromotionResource } from '../../src/kube-native/gitops/resource.js';
import { retryHint } from '../../src/kube-native/gitops/resource-handler.js';
import { SpecController } from '../../src/kube-native/gitops/spec-controller.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { type KubernetesStore, openKubernetesStore } from '../../src/store/kubernetes/store.js';
import { fakeCatalog } from '../fakes/catalog.js';
import { engineHarness } from '../fakes/harness.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { getTable, tableRows } from './support/kube-table.js';
import { switchyardCrds } from './support/switchyard-crds.js';
import { waitFor } from './support/wait-for.js';

// The green cluster plays the management cluster. The controller is the real one on the Kubernetes
// store; the stages are the real stage list run against the unit tests' fake cloud (no AWS needed).
describeWithServers('GitOps on Promotion resources (sandbox apiserver, context green)', () => {
  const config = loadKubeConfig({ path: testEnvironment().kubeconfigPath, context: 'green' });
  const core = config.makeApiClient(CoreV1Api);
  const objects = config.makeApiClient(CustomObjectsApi);
  const crds = switchyardCrds(config);
  const namespace = `gitops-${randomBytes(3).toString('hex')}`;
  const log = pino({ level: process.env.GITOPS_LOG ?? 'silent' });
  const promotions = { group: crdGroup, version: crdVersion, namespace, plural: promotionNames.plural };
  let store: KubernetesStore;
  let h: ReturnType<typeof engineHarness>;
  let gitops: SpecController;

  const startGitops = async () => {
    gitops = new SpecController({
      kubeConfig: config,
      namespace,
      log,
      controller: h.controller,
      catalog: fakeCatalog(h.providers),
      firstRetryMs: 200,
    });
    await gitops.start();
  };
  /** Runs the sandbox's kubectl on the namespace, as a person would; resolves with its output. */
  const kubectl = (args: readonly string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const env = testEnvironment();
      const child = execFile(
        env.kubectl,
        ['--kubeconfig', env.kubeconfigPath, '--context', 'green', '--namespace', namespace, ...args],
        (error, stdout, stderr) =>
          error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      );
      child.stdin?.end(input ?? '');
    });
  /** `kubectl apply -f promotion.yaml` of a Promotion (client-side apply: field manager kubectl-client-side-apply). */
  const apply = (name: string, spec: object, annotations: Record<string, string> = {}) =>
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: crdApiVersion,
        kind: promotionNames.kind,
        metadata: { name, annotations },
        spec,
      }),
    );
  /** `kubectl patch promotion <name> --type merge -p '{"spec": …}'` (field manager kubectl-patch). */
  const patchSpec = (name: string, spec: object) =>
    kubectl([
      'patch',
      `${promotionNames.singular}/${name}`,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec }),
    ]);
  const read = async (name: string) =>
    (await objects.getNamespacedCustomObject({ ...promotions, name })) as PromotionResource;
  const recordWhere = (id: string, what: string, holds: (p: Promotion) => boolean) =>
    waitFor(async () => {
      const promotion = await store.get(id);
      return promotion !== undefined && holds(promotion) ? promotion : undefined;
    }, what);
  /**
   * Runs `change` and measures how long the apiserver took to accept it (`accepted`) and then how long
   * until the store's record of `id` holds (`acted`): the store tells its watchers of every committed
   * write, whichever replica made it, and the record is read then.
   */
  const timed = async (id: string, holds: (p: Promotion) => boolean, change: () => Promise<unknown>) => {
    let stop = () => {};
    const reached = new Promise<number>((resolve) => {
      stop = store.watch(id, () => {
        void store.get(id).then((p) => {
          if (p !== undefined && holds(p)) resolve(performance.now());
        });
      });
    });
    const sent = performance.now();
    await change();
    const accepted = performance.now();
    try {
      const done = await Promise.race([
        reached,
        recordWhere(id, `the change of ${id}`, holds).then(() => performance.now()),
      ]);
      return `apiserver accepted it in ${Math.round(accepted - sent)} ms, the record held ${Math.round(Math.max(0, done - accepted))} ms later`;
    } finally {
      stop();
    }
  };
  const warnings = async (name: string) => {
    const list = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.name=${name},type=Warning`,
    });
    return list.items.map((event) => ({ reason: event.reason, message: event.message }));
  };

  beforeAll(async () => {
    await crds.install();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // A CRD just established answers 429 "storage is (re)initializing" for a moment: wait that out, so
    // the times below measure the controller, not the apiserver's start.
    await waitFor(() => objects.listNamespacedCustomObject(promotions), 'Promotion storage to be ready');
    store = await openKubernetesStore({ kubeConfig: config, namespace, log });
    h = engineHarness({ store, recordShop: false });
    await store.recordPlatform({
      name: 'shop',
      initial: { slot: 'a', cluster: 'shop-blue' },
      firstSeenAt: new Date().toISOString(),
    });
    await startGitops();
  });

  afterAll(async () => {
    await gitops?.stop();
    await store?.close();
    await core.deleteNamespace({ name: namespace });
    await crds.remove();
  });

  it('kubectl apply of a Promotion starts it, named by the resource, created by its field manager', async () => {
    const took = await timed(
      'shop-1-35',
      () => true,
      () => apply('shop-1-35', { platform: 'shop', targetVersion: '1.35' }),
    );
    console.log(`gitops: Promotion applied → promotion stored: ${took}`);
    const started = await store.get('shop-1-35');
    expect(started).toMatchObject({
      platform: 'shop',
      toVersion: '1.35',
      createdBy: 'kubernetes:kubectl-client-side-apply',
    });
    // Its spec asks for nothing more, so nothing was written on it beside the store's status.
    expect((await read('shop-1-35')).metadata.annotations?.[observedSpecAnnotation]).toBeUndefined();
  });

  it('kubectl get promotions shows the columns of the status the store wrote', async () => {
    const promotion = await h.drive('shop-1-35', { until: (p) => p.traffic.green === 10 });
    const table = await getTable(
      config,
      `/apis/${crdGroup}/${crdVersion}/namespaces/${namespace}/${promotionNames.plural}`,
    );
    expect(tableRows(table).find((row) => row.Name === 'shop-1-35')).toEqual({
      Name: 'shop-1-35',
      Platform: 'shop',
      Phase: promotion.phase,
      Stage: 'shift-traffic',
      'Green %': 10,
      Age: expect.any(String),
    });
    // And as a person reads it.
    const printed = await kubectl(['get', promotionNames.plural]);
    console.log(`gitops: kubectl get promotions\n${printed}`);
    const [header, ...lines] = printed
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/));
    expect(header).toEqual(['NAME', 'PLATFORM', 'PHASE', 'STAGE', 'GREEN %', 'AGE']);
    expect(lines.find((cells) => cells[0] === 'shop-1-35')?.slice(0, 5)).toEqual([
      'shop-1-35',
      'shop',
      promotion.phase,
      'shift-traffic',
      '10',
    ]);
  });

  it('patching spec.paused pauses, patching it back resumes, spec.weight sets a manual weight', async () => {
    await patchSpec('shop-1-35', { paused: true });
    const paused = await recordWhere('shop-1-35', 'the promotion to be paused', (p) => p.phase === 'paused');
    expect(paused.pauseReason).toBe('spec.paused set by kubernetes:kubectl-patch');
    // What was acted on is marked on the resource, under Switchyard's own name in managedFields.
    const marked = await waitFor(async () => {
      const copy = await read('shop-1-35');
      const text = copy.metadata.annotations?.[observedSpecAnnotation];
      return text === undefined ? undefined : { copy, observed: JSON.parse(text) };
    }, 'the pause to be marked observed');
    expect(marked.observed).toEqual({ generation: 2, paused: true });
    expect(
      marked.copy.metadata.managedFields?.find((entry) => entry.manager === 'switchyard')?.fieldsV1,
    ).toEqual({ 'f:metadata': { 'f:annotations': { [`f:${observedSpecAnnotation}`]: {} } } });

    await patchSpec('shop-1-35', { paused: false });
    await recordWhere('shop-1-35', 'the promotion to resume', (p) => p.phase === 'running');

    // A manual weight pauses automatic stepping, so the spec says so too: paused: false then resumes.
    await patchSpec('shop-1-35', { paused: true, weight: { green: 30 } });
    const manual = await recordWhere(
      'shop-1-35',
      'the manual weight',
      (p) => p.traffic.manualChange !== undefined,
    );
    expect(manual.traffic.manualChange).toMatchObject({ green: 30, by: 'kubernetes:kubectl-patch' });
    expect(await warnings('shop-1-35')).toEqual([]);
  });

  it('a spec edit made while the controller was stopped is acted on when it starts again (list, then watch)', async () => {
    await h.drive('shop-1-35');
    // As on stepping down and leading again: the same controller, stopped and started.
    await gitops.stop();
    await patchSpec('shop-1-35', { paused: false });
    await gitops.start();
    await recordWhere('shop-1-35', 'the promotion to resume after a restart', (p) => p.phase === 'running');
  });

  it('patching spec.rollback rolls back at once (prints how long the record took to say so)', async () => {
    const took = await timed(
      'shop-1-35',
      (p) => p.phase === 'rolling-back',
      () => patchSpec('shop-1-35', { rollback: { reason: 'errors on green', mode: 'instant' } }),
    );
    console.log(`gitops: spec.rollback patched → record says rollback requested: ${took}`);
    expect((await store.get('shop-1-35'))?.rollback).toMatchObject({
      requestedBy: 'kubernetes:kubectl-patch',
      reason: 'errors on green',
      mode: 'instant',
    });
  });

  it('a refused request gets a Warning Event and no promotion', async () => {
    await apply('web-1-35', { platform: 'web', targetVersion: '1.35' });
    // shop-1-35 is still rolling back: the platform is taken.
    await apply('shop-again', { platform: 'shop', targetVersion: '1.35' });
    expect(await waitFor(async () => (await warnings('web-1-35'))[0], 'the refusal of web-1-35')).toEqual({
      reason: 'PromotionRefused',
      message: `platform "web" not found; ${retryHint}`,
    });
    expect(await waitFor(async () => (await warnings('shop-again'))[0], 'the refusal of shop-again')).toEqual(
      {
        reason: 'PromotionRefused',
        message: `platform "shop" already has an active promotion: shop-1-35; ${retryHint}`,
      },
    );
    expect(await store.get('web-1-35')).toBeUndefined();
    expect(await store.get('shop-again')).toBeUndefined();
    // The applied resource stays, with the refused generation marked so it is not tried again.
    const refused = await read('shop-again');
    expect(refused.status?.storage).toBeUndefined();
    expect(JSON.parse(refused.metadata.annotations?.[observedSpecAnnotation] ?? '')).toEqual({
      generation: 1,
    });
  });

  it('an API create interrupted before its status is left alone', async () => {
    await apply('shop-api', { platform: 'shop', targetVersion: '1.35' }, { 'switchyard.dev/origin': 'api' });
    // A request applied after it: once that one is answered, the watch has delivered both.
    await apply('web-later', { platform: 'web', targetVersion: '1.35' });
    await waitFor(async () => (await warnings('web-later'))[0], 'the refusal of web-later');
    const left = await read('shop-api');
    expect(left.metadata.annotations?.[observedSpecAnnotation]).toBeUndefined();
    expect(left.status).toBeUndefined();
    expect(await warnings('shop-api')).toEqual([]);
  });

  it('a refused request deleted and applied again once the platform is free starts', async () => {
    expect((await h.drive('shop-1-35')).phase).toBe('rolled-back');
    await kubectl(['delete', `${promotionNames.singular}/shop-again`]);
    await apply('shop-again', { platform: 'shop', targetVersion: '1.35' });
    const started = await recordWhere('shop-again', 'the re-applied request to start', () => true);
    expect(started).toMatchObject({ platform: 'shop', createdBy: 'kubernetes:kubectl-client-side-apply' });
    // The one Warning is the first resource's: the new one has none.
    expect(await warnings('shop-again')).toHaveLength(1);
  });

  it('the apiserver answers a watch from a version it no longer keeps with 410, as the watch loop expects', async () => {
    // Version 1 predates the CRD: far outside the watch cache's window, as after a long disconnect.
    let connection: { abort(): void } | undefined;
    const answer = await new Promise<string>((resolve) => {
      void kubePromotionSource(config, namespace)
        .watch(
          '1',
          (type, object) => {
            if (type === 'ERROR') resolve(`ERROR event, code ${object.code}`);
          },
          (error) => resolve(`end, status ${(error as { statusCode?: number } | null)?.statusCode}`),
        )
        .then((opened) => {
          connection = opened;
        });
    });
    connection?.abort();
    console.log(`gitops: a watch from resourceVersion 1 got: ${answer}`);
    expect(['ERROR event, code 410', 'end, status 410']).toContain(answer);
  });
});
