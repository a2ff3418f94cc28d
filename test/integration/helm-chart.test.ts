import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import {
  CoreV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type V1ConfigMap,
  type V1Container,
  type V1Deployment,
  type V1PodDisruptionBudget,
  type V1PodSpec,
  type V1Role,
  type V1RoleBinding,
  type V1ServiceAccount,
  type V1Volume,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { projectRoot, runToolScript } from '../env/tools.js';
import { describeWithServers, testEnvironment } from './environment.js';

// The chart in deploy/helm/switchyard, checked with a real Helm (built from its Go module by
// tools/build-helm.sh): lint, what it renders in both store modes, what it refuses, and whether an API
// server accepts every object it renders (server-side dry run on the sandbox's green cluster).

const chart = join(projectRoot, 'deploy/helm/switchyard');
const versions = readFileSync(join(projectRoot, 'tools/versions.env'), 'utf8');
const helmVersion = /^HELM_VERSION=(.+)$/m.exec(versions)?.[1];
// A cold build of Helm takes minutes; a cached one returns at once, a relink takes seconds.
const buildTimeoutMs = 10 * 60_000;

type Doc = KubernetesObject & Record<string, unknown>;

let helmBinary = '';
beforeAll(async () => {
  helmBinary = join(await runToolScript('build-helm.sh'), `helm-${helmVersion}`);
}, buildTimeoutMs);

/** Runs helm; a non-zero exit is returned, not thrown, since some tests expect one. */
function helm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(helmBinary, args, { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      // An exit status is a number; anything else (ENOENT, a full buffer) means helm did not run.
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** `helm template` into `namespace`, with values given as --set-json pairs, parsed into objects. */
async function render(namespace: string, values: Record<string, unknown> = {}, ...flags: string[]) {
  const sets = Object.entries(values).flatMap(([key, value]) => [
    '--set-json',
    `${key}=${JSON.stringify(value)}`,
  ]);
  const run = await helm('template', 'switchyard', chart, '--namespace', namespace, ...sets, ...flags);
  expect(run.stderr, 'helm template').toBe('');
  expect(run.code).toBe(0);
  return parseAllDocuments(run.stdout)
    .map((doc) => doc.toJS() as Doc | null)
    .filter((doc): doc is Doc => doc !== null);
}

/** The one object of a kind among the rendered ones, typed as the client's model of that kind. */
function only<T>(docs: Doc[], kind: string): T {
  const found = docs.filter((doc) => doc.kind === kind);
  expect(
    found.map((doc) => doc.kind),
    kind,
  ).toEqual([kind]);
  return found[0] as T;
}
const kinds = (docs: Doc[]) => docs.map((doc) => doc.kind).sort();
const deploymentOf = (docs: Doc[]) => only<V1Deployment>(docs, 'Deployment');
function podOf(docs: Doc[]): V1PodSpec {
  const spec = deploymentOf(docs).spec?.template.spec;
  if (!spec) throw new Error('the Deployment has no pod template');
  return spec;
}
function containerOf(docs: Doc[]): V1Container {
  const [main] = podOf(docs).containers;
  if (!main) throw new Error('the pod has no container');
  return main;
}
const volumesOf = (docs: Doc[]): V1Volume[] => podOf(docs).volumes ?? [];
/** The ConfigMap whose name ends in `suffix` (-config, -platforms or -fleets). */
function configMap(docs: Doc[], suffix: string): V1ConfigMap {
  const map = docs.find((doc) => doc.kind === 'ConfigMap' && doc.metadata?.name?.endsWith(suffix));
  if (!map) throw new Error(`no ConfigMap *${suffix}`);
  return map as V1ConfigMap;
}
const controllerFileOf = (docs: Doc[]) => configMap(docs, '-config').data?.['controller.yaml'] ?? '';

/** An example file of deploy/kubernetes/config.yaml (a key of one of its ConfigMaps), as a value. */
function exampleFile(mapName: string, key: string): { name: string } {
  const text = readFileSync(join(projectRoot, 'deploy/kubernetes/config.yaml'), 'utf8');
  const maps = parseAllDocuments(text).map((doc) => doc.toJS() as V1ConfigMap);
  const map = maps.find((m) => m.metadata?.name === mapName);
  return parse(map?.data?.[key] ?? '');
}
/** The in-cluster example platform, as a platforms value. */
const examplePlatform = () => exampleFile('switchyard-platforms', 'shop.yaml');
/** The example fleet strategy (the repository's standard one), as a fleets value. */
const exampleStrategy = () => exampleFile('switchyard-fleets', 'standard.yaml');

describe('deploy/helm/switchyard', () => {
  it('passes helm lint --strict (warnings fail too) in both store modes', async () => {
    for (const kind of ['sqlite', 'kubernetes']) {
      const run = await helm('lint', '--strict', chart, '--set', `store.kind=${kind}`);
      expect(run.code, `${kind}: ${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('runs one replica on the sqlite store by default: its volume, Recreate, no RBAC, no API token', async () => {
    const docs = await render('switchyard');
    expect(kinds(docs)).toEqual([
      'ConfigMap',
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'PersistentVolumeClaim',
      'Service',
      'ServiceAccount',
    ]);
    const deployment = deploymentOf(docs);
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(podOf(docs).automountServiceAccountToken).toBe(false);
    expect(only<V1ServiceAccount>(docs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    const claim = only<KubernetesObject & { spec: { accessModes: string[] } }>(docs, 'PersistentVolumeClaim');
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    const data = volumesOf(docs).find((volume) => volume.persistentVolumeClaim);
    expect(data?.persistentVolumeClaim?.claimName).toBe(claim.metadata?.name);
    for (const doc of docs) expect(doc.metadata?.namespace, doc.kind).toBe('switchyard');
  });

  it("writes a controller file, platforms and fleets the controller's loader accepts, mounted where it says", async () => {
    const platform = examplePlatform();
    const strategy = exampleStrategy();
    const docs = await render('switchyard', {
      'platforms.shop\\.yaml': platform,
      'fleets.standard\\.yaml': strategy,
      'controller.aws.region': 'eu-west-1',
    });
    const file = parse(controllerFileOf(docs));
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-helm-'));
    try {
      // Lay the platform and strategy files out as the pod sees them (platformsDir and fleetsDir moved
      // from the pod's absolute paths to here) and load everything with the controller's own loader.
      for (const folder of ['platforms', 'fleets']) {
        await mkdir(join(dir, folder));
        for (const [name, text] of Object.entries(configMap(docs, `-${folder}`).data ?? {})) {
          await writeFile(join(dir, folder, name), text);
        }
      }
      const here = { ...file, platformsDir: 'platforms', fleetsDir: 'fleets' };
      await writeFile(join(dir, 'controller.yaml'), stringify(here));
      const loaded = await loadConfig({ file: join(dir, 'controller.yaml'), env: {} });
      expect([...loaded.platforms.keys()]).toEqual([platform.name]);
      expect([...loaded.fleets.keys()]).toEqual([strategy.name]);
      expect(loaded.controller.aws.region).toBe('eu-west-1');
      expect(loaded.controller.server).toMatchObject({ host: '0.0.0.0', port: 8080 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // What the file names is where the pod mounts it.
    const main = containerOf(docs);
    const volumeAt = (path: string) => {
      const mount = main.volumeMounts?.find((m) => m.mountPath === path);
      return volumesOf(docs).find((volume) => volume.name === mount?.name);
    };
    expect(main.args).toEqual(['serve', '--config', '/etc/switchyard/controller.yaml']);
    expect(volumeAt(file.platformsDir)?.configMap?.name).toBe(configMap(docs, '-platforms').metadata?.name);
    expect(volumeAt(file.fleetsDir)?.configMap?.name).toBe(configMap(docs, '-fleets').metadata?.name);
    expect(volumeAt(posix.dirname(file.store.path))?.persistentVolumeClaim).toBeDefined();
    expect(volumeAt(posix.dirname(file.auth.tokensFile))?.secret?.secretName).toBe('switchyard-tokens');
    expect(main.ports?.[0]?.containerPort).toBe(file.server.port);
  });

  it('caps the V8 heap as the Dockerfile does', async () => {
    const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');
    const imageCap = /^ENV NODE_OPTIONS=(.+)$/m.exec(dockerfile)?.[1];
    const docs = await render('switchyard');
    expect(containerOf(docs).env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(imageCap);
    const bigger = await render('switchyard', { heapMaxMegabytes: 768 });
    expect(containerOf(bigger).env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(
      '--max-old-space-size=768',
    );
  });

  it('runs two replicas on the kubernetes store: PDB, rolling updates, RBAC in the release namespace', async () => {
    const docs = await render('ops', { 'store.kind': 'kubernetes' });
    expect(kinds(docs)).toEqual([
      'ConfigMap',
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    const deployment = deploymentOf(docs);
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(podOf(docs).automountServiceAccountToken).toBe(true);
    expect(volumesOf(docs).some((volume) => volume.persistentVolumeClaim)).toBe(false);
    expect(parse(controllerFileOf(docs)).store).toEqual({ kind: 'kubernetes', namespace: 'ops' });
    // The controller takes that store: the pod's own service account, the usual lease timings.
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-helm-'));
    try {
      await mkdir(join(dir, 'platforms'));
      const file = { ...parse(controllerFileOf(docs)), platformsDir: 'platforms' };
      await writeFile(join(dir, 'controller.yaml'), stringify(file));
      const loaded = await loadConfig({ file: join(dir, 'controller.yaml'), env: {} });
      expect(loaded.controller.store).toEqual({
        kind: 'kubernetes',
        namespace: 'ops',
        lease: { name: 'switchyard-leader', duration: 15_000, renewDeadline: 10_000, retryPeriod: 2_000 },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const budget = only<V1PodDisruptionBudget>(docs, 'PodDisruptionBudget');
    expect(budget.spec?.minAvailable).toBe(1);
    expect(budget.spec?.selector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject(
      deployment.spec?.selector.matchLabels ?? { missing: 'selector' },
    );

    // Every verb the store, the elector and the event writer need, and nothing cluster-wide.
    const role = only<V1Role>(docs, 'Role');
    const granted = (group: string, resource: string) =>
      (role.rules ?? [])
        .filter((rule) => rule.apiGroups?.includes(group) && rule.resources?.includes(resource))
        .flatMap((rule) => rule.verbs);
    for (const resource of ['promotions', 'platforms']) {
      const crud = ['get', 'list', 'watch', 'create', 'update'];
      expect(granted('switchyard.dev', resource)).toEqual(expect.arrayContaining(crud));
      expect(granted('switchyard.dev', `${resource}/status`)).toEqual(
        expect.arrayContaining(['get', 'update']),
      );
    }
    expect(granted('', 'events')).toEqual(expect.arrayContaining(['create', 'patch']));
    const elector = ['get', 'create', 'update'];
    expect(granted('coordination.k8s.io', 'leases')).toEqual(expect.arrayContaining(elector));
    const configMaps = ['get', 'list', 'watch', 'create', 'update'];
    expect(granted('', 'configmaps')).toEqual(expect.arrayContaining(configMaps));
    const binding = only<V1RoleBinding>(docs, 'RoleBinding');
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: role.metadata?.name });
    const account = podOf(docs).serviceAccountName;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: 'ops' }]);
    expect(docs.filter((doc) => doc.kind?.startsWith('Cluster'))).toEqual([]);
  });

  it('refuses more than one replica on the sqlite store, saying why', async () => {
    const run = await helm('template', 'switchyard', chart, '--set', 'replicaCount=2');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      'replicaCount is 2 but store.kind is sqlite: one SQLite file cannot be shared',
    );
    // The kubernetes store takes any count.
    const docs = await render('switchyard', { 'store.kind': 'kubernetes', replicaCount: 3 });
    expect(deploymentOf(docs).spec?.replicas).toBe(3);
  });

  it('refuses an unknown store kind and a malformed IRSA role ARN (values schema)', async () => {
    const kind = await helm('template', 'switchyard', chart, '--set', 'store.kind=etcd');
    expect(kind.code).not.toBe(0);
    expect(kind.stderr).toContain('/store/kind');
    const arn = await helm('template', 'switchyard', chart, '--set', 'serviceAccount.roleArn=controller');
    expect(arn.code).not.toBe(0);
    expect(arn.stderr).toContain('/serviceAccount/roleArn');
  });

  it('rolls the pods when a fleet strategy changes, and refuses a key that is not a YAML file name', async () => {
    const checksum = (docs: Doc[]) =>
      deploymentOf(docs).spec?.template.metadata?.annotations?.['checksum/config'];
    const strategy = exampleStrategy();
    const before = await render('switchyard', { 'fleets.standard\\.yaml': strategy });
    const same = await render('switchyard', { 'fleets.standard\\.yaml': strategy });
    const after = await render('switchyard', {
      'fleets.standard\\.yaml': { ...strategy, memberStartDeadline: '1h' },
    });
    expect(checksum(before)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(same)).toBe(checksum(before));
    expect(checksum(after)).not.toBe(checksum(before));

    const badKey = await helm('template', 'switchyard', chart, '--set-json', 'fleets.standard={"name":"x"}');
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toContain('fleets.standard: each key is a fleet strategy file name');
    const dirSet = await helm('template', 'switchyard', chart, '--set', 'controller.fleetsDir=/tmp/fleets');
    expect(dirSet.code).not.toBe(0);
    expect(dirSet.stderr).toContain('/controller');
  });

  it('annotates the ServiceAccount with the IRSA role only when one is given', async () => {
    const role = 'arn:aws:iam::123456789012:role/switchyard-controller';
    const annotated = await render('switchyard', { 'serviceAccount.roleArn': role });
    expect(only<V1ServiceAccount>(annotated, 'ServiceAccount').metadata?.annotations).toEqual({
      'eks.amazonaws.com/role-arn': role,
    });
    const plain = await render('switchyard');
    expect(only<V1ServiceAccount>(plain, 'ServiceAccount').metadata?.annotations).toBeUndefined();
  });
});

describeWithServers('deploy/helm/switchyard on an API server (server-side dry run)', () => {
  const env = testEnvironment();
  const config = loadKubeConfig({ path: env.kubeconfigPath, context: 'green' });
  const objects = KubernetesObjectApi.makeApiClient(config);
  const core = config.makeApiClient(CoreV1Api);
  const namespace = `helm-chart-${randomBytes(3).toString('hex')}`;
  const fieldManager = 'switchyard-helm-chart-test';
  const roleArn = 'arn:aws:iam::123456789012:role/switchyard-controller';

  beforeAll(async () => {
    // The namespace enforces the restricted Pod Security Standard, as deploy/README.md recommends.
    const labels = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    await core.createNamespace({ body: { metadata: { name: namespace, labels } } });
  });
  afterAll(() => core.deleteNamespace({ name: namespace }).then(() => undefined));

  it.each(['sqlite', 'kubernetes'])(
    'accepts every object the chart renders with the %s store',
    async (kind) => {
      const values = { 'store.kind': kind, 'serviceAccount.roleArn': roleArn };
      const docs = await render(namespace, values, '--include-crds');
      // CRDs first, as Helm installs them. A dry run registers nothing, and no template is of their kinds.
      const isCrd = (doc: Doc) => Number(doc.kind === 'CustomResourceDefinition');
      const ordered = [...docs].sort((a, b) => isCrd(b) - isCrd(a));
      const refused: string[] = [];
      for (const doc of ordered) {
        // loadYaml makes the client's typed model of the object: handed a plain one, the client drops
        // every key it has no model field for (a CRD schema's x-kubernetes-int-or-string among them).
        const typed = loadYaml<KubernetesObject>(stringify(doc));
        try {
          await objects.patch(typed, undefined, 'All', fieldManager, true, PatchStrategy.ServerSideApply);
        } catch (error) {
          const body = (error as { body?: unknown }).body;
          refused.push(`${doc.kind} ${doc.metadata?.name}: ${body ?? String(error)}`);
        }
      }
      expect(refused).toEqual([]);
      expect(ordered.length).toBeGreaterThanOrEqual(6);
      // A dry run: nothing was written.
      const written = await core.listNamespacedConfigMap({
        namespace,
        labelSelector: 'app.kubernetes.io/name',
      });
      expect(written.items).toEqual([]);
    },
  );

  it('runs a pod the restricted Pod Security Standard admits (and the same check refuses a weaker one)', async () => {
    const docs = await render(namespace);
    // Pod Security is enforced on pods, not on Deployments, so a pod made from the template is admitted
    // (dry run). The ServiceAccount admission plugin wants its account to exist: that one is real.
    await objects.create(only<V1ServiceAccount>(docs, 'ServiceAccount'), undefined, undefined, fieldManager);
    const template = deploymentOf(docs).spec?.template;
    const pod = (spec: V1PodSpec | undefined) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'switchyard-pod-check', namespace, labels: template?.metadata?.labels ?? {} },
      spec,
    });
    await expect(objects.create(pod(template?.spec), undefined, 'All', fieldManager)).resolves.toBeDefined();

    const weaker = structuredClone(template?.spec);
    const main = weaker?.containers[0];
    if (main?.securityContext) main.securityContext.allowPrivilegeEscalation = true;
    await expect(objects.create(pod(weaker), undefined, 'All', fieldManager)).rejects.toThrow(
      /violates PodSecurity.*allowPrivilegeEscalation != false/,
    );
  });
});
