import { readFileSync } from 'node:fs';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crdFiles, crdGroup, crdVersion, platformNames, promotionNames } from '../../src/kube-native/crds.js';
import { platformResource } from '../../src/kube-native/platform-resource.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { examplePlatformFiles, promotionRecord } from '../unit/kube-native/fixtures.js';
import { describeWithServers, testEnvironment } from './environment.js';
import { getTable } from './support/kube-table.js';
import { waitFor } from './support/wait-for.js';

/** Sends a patch as a JSON merge patch (the client's default for a plain object is a JSON patch). */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The apiserver's message for a refused request: its Status object's message. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return { code: error.code, message: String(body?.message) };
  }
  throw new Error('the apiserver accepted it');
}

// The green cluster plays the management cluster that holds Switchyard's own resources.
describeWithServers('switchyard.dev CRDs on a kube-apiserver', () => {
  const config = loadKubeConfig({ path: testEnvironment().kubeconfigPath, context: 'green' });
  const extensions = config.makeApiClient(ApiextensionsV1Api);
  const objects = config.makeApiClient(CustomObjectsApi);
  const core = config.makeApiClient(CoreV1Api);
  const namespace = 'switchyard-crds';
  // The committed files, as `kubectl apply -f deploy/crds/` sends them (a unit test holds them equal to
  // what crds.ts makes). loadYaml turns each into the client's typed model: handed a plain object, the
  // client would drop every schema key it has no model field for, x-kubernetes-int-or-string among them.
  const crds = Object.keys(crdFiles()).map((name) =>
    loadYaml<V1CustomResourceDefinition>(
      readFileSync(new URL(`../../deploy/crds/${name}`, import.meta.url), 'utf8'),
    ),
  );
  const platforms = { group: crdGroup, version: crdVersion, namespace, plural: platformNames.plural };
  const promotions = { ...platforms, plural: promotionNames.plural };

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const crd of crds) await extensions.createCustomResourceDefinition({ body: crd });
    for (const crd of crds) {
      const name = crd.metadata?.name ?? '';
      await waitFor(async () => {
        const read = await extensions.readCustomResourceDefinition({ name });
        return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      }, `CRD ${name} to be established`);
    }
  });

  afterAll(async () => {
    // CRDs are cluster-wide: remove them (and every object of theirs) for the files that run after this one.
    for (const crd of crds)
      await extensions.deleteCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    await core.deleteNamespace({ name: namespace });
  });

  it.each(examplePlatformFiles())(
    'accepts a Platform made from %s, and keeps every field of it',
    async (_, file) => {
      const resource = platformResource(file, namespace);
      const created = (await objects.createNamespacedCustomObject({ ...platforms, body: resource })) as {
        spec: unknown;
      };
      // A field the schema did not know would have been pruned silently: the spec comes back whole.
      expect(created.spec).toEqual(resource.spec);
    },
  );

  it('accepts a Promotion and its record written through the status subresource', async () => {
    const spec = { platform: 'shop', targetVersion: '1.35', options: { rollback: { mode: 'stepped' } } };
    const body = {
      apiVersion: `${crdGroup}/${crdVersion}`,
      kind: 'Promotion',
      metadata: { name: 'shop-1-35' },
      spec,
    };
    const created = (await objects.createNamespacedCustomObject({ ...promotions, body })) as Record<
      string,
      unknown
    >;
    const status = promotionRecord('shop-1-35');
    const written = (await objects.replaceNamespacedCustomObjectStatus({
      ...promotions,
      name: 'shop-1-35',
      body: { ...created, status },
    })) as { status: unknown; spec: unknown };
    expect(written.status).toEqual(status);
    // The status subresource writes status only: a spec sent along is ignored.
    const stale = (await objects.replaceNamespacedCustomObjectStatus({
      ...promotions,
      name: 'shop-1-35',
      body: { ...written, spec: { ...spec, paused: true } },
    })) as { spec: unknown };
    expect(stale.spec).toEqual(spec);
  });

  it('rejects objects the schema refuses, naming the field', async () => {
    const [, shop] = examplePlatformFiles().find(([name]) => name === 'shop.yaml') ?? [];
    const resource = platformResource({ ...shop, name: 'shop-wrong-type' }, namespace);
    const traffic = structuredClone(resource.spec.traffic) as { steps: Record<string, unknown>[] };
    traffic.steps[0] = { green: 'ten', bake: '5m' };
    const wrongType = await refusal(
      objects.createNamespacedCustomObject({
        ...platforms,
        body: { ...resource, spec: { ...resource.spec, traffic } },
      }),
    );
    expect(wrongType.code).toBe(422);
    expect(wrongType.message).toContain('spec.traffic.steps[0].green');

    // A union's members keep their required fields: an ALB section without its listener is refused.
    const albWithoutListener = { router: 'alb', steps: [{ green: 100, bake: '1m' }] };
    const union = await refusal(
      objects.createNamespacedCustomObject({
        ...platforms,
        body: { ...resource, spec: { ...resource.spec, traffic: albWithoutListener } },
      }),
    );
    expect(union.code).toBe(422);
    expect(union.message).toContain('spec.traffic.listenerArn: Required value: required with router "alb"');

    const noTarget = {
      apiVersion: `${crdGroup}/${crdVersion}`,
      kind: 'Promotion',
      metadata: { name: 'no-target' },
    };
    const missing = await refusal(
      objects.createNamespacedCustomObject({
        ...promotions,
        body: { ...noTarget, spec: { platform: 'shop' } },
      }),
    );
    expect(missing.code).toBe(422);
    expect(missing.message).toContain('spec.targetVersion: Required value');

    const badName = await refusal(
      objects.createNamespacedCustomObject({
        ...platforms,
        body: { ...resource, metadata: { name: 'shop.example', namespace } },
      }),
    );
    expect(badName.code).toBe(422);
    expect(badName.message).toContain('the name must be a DNS label');
  });

  it("refuses edits that would change a promotion's request or withdraw its rollback", async () => {
    const name = 'payments-1-35';
    const spec = { platform: 'payments', targetVersion: '1.35' };
    const body = { apiVersion: `${crdGroup}/${crdVersion}`, kind: 'Promotion', metadata: { name }, spec };
    await objects.createNamespacedCustomObject({ ...promotions, body });
    const patch = (value: Record<string, unknown>) =>
      objects.patchNamespacedCustomObject({ ...promotions, name, body: { spec: value } }, mergePatch);

    const retarget = await refusal(patch({ targetVersion: '1.36' }));
    expect(retarget.code).toBe(422);
    expect(retarget.message).toContain('spec.targetVersion: Invalid value');
    expect(retarget.message).toContain('cannot change once the promotion exists');

    // The actions are what a person edits: pause, a manual weight, a rollback.
    await patch({ paused: true, weight: { green: 25 } });
    await patch({ rollback: { reason: 'errors on green' } });
    const withdrawn = await refusal(patch({ rollback: null }));
    expect(withdrawn.code).toBe(422);
    expect(withdrawn.message).toContain('a requested rollback cannot be withdrawn');
    const read = (await objects.getNamespacedCustomObject({ ...promotions, name })) as { spec: unknown };
    expect(read.spec).toEqual({
      ...spec,
      paused: true,
      weight: { green: 25 },
      rollback: { reason: 'errors on green' },
    });
  });

  it('serves the printer columns: platform, phase, stage, green % and age', async () => {
    const table = await getTable(
      config,
      `/apis/${crdGroup}/${crdVersion}/namespaces/${namespace}/${promotionNames.plural}`,
    );
    const columns = table.columnDefinitions
      .filter((column) => column.priority === 0)
      .map((column) => column.name);
    expect(columns).toEqual(['Name', 'Platform', 'Phase', 'Stage', 'Green %', 'Age']);
    const row = table.rows.find((r) => r.cells[0] === 'shop-1-35');
    expect(row?.cells.slice(0, 5)).toEqual(['shop-1-35', 'shop', 'running', 'shift-traffic', 10]);
  });
});
