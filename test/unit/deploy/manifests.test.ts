import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { loadTokens } from '../../../src/server/tokens.js';
import { apiHarness } from '../api/harness.js';
import { loadManifest, only, root, yamlFiles } from './manifests.js';

const rbacKinds = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
const clusterScopedKinds = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

const kustomization = only(loadManifest('kustomization.yaml'), 'Kustomization');
const controllerFiles: string[] = kustomization.resources;
const controller = controllerFiles.flatMap(loadManifest);
const deployment = only(controller, 'Deployment', 'switchyard');
const pod = deployment.spec.template.spec;
const main = pod.containers.find((c: { name: string }) => c.name === 'switchyard');

const volume = (name: string) => pod.volumes.find((v: { name: string }) => v.name === name);
const mountAt = (path: string) => main.volumeMounts.find((m: { mountPath: string }) => m.mountPath === path);
const containerPort = (port: number | string): number =>
  typeof port === 'number' ? port : main.ports.find((p: { name: string }) => p.name === port).containerPort;

const configMap = (name: string) => only(controller, 'ConfigMap', name);
const controllerYaml: string = configMap('switchyard-config').data['controller.yaml'];
const controllerConfig = parse(controllerYaml);
const readme = readFileSync(join(root, 'deploy', 'README.md'), 'utf8');

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('deploy/kubernetes', () => {
  it('parses: every document of every file is a Kubernetes object', () => {
    for (const file of yamlFiles()) {
      const docs = loadManifest(file);
      expect(docs.length, file).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(typeof doc.apiVersion, `${file} ${doc.kind}`).toBe('string');
        expect(typeof doc.kind, file).toBe('string');
        if (doc.kind !== 'Kustomization')
          expect(typeof doc.metadata?.name, `${file} ${doc.kind}`).toBe('string');
      }
    }
  });

  it('installs every controller manifest with kustomize, and never the target-cluster RBAC', () => {
    const expected = yamlFiles().filter(
      (f) => f !== 'kustomization.yaml' && f !== 'target-cluster-rbac.yaml',
    );
    expect([...controllerFiles].sort()).toEqual(expected);
  });

  it('puts every namespaced object in the switchyard namespace', () => {
    for (const doc of controller) {
      if (clusterScopedKinds.has(doc.kind)) continue;
      expect(doc.metadata.namespace, `${doc.kind} ${doc.metadata.name}`).toBe('switchyard');
    }
    expect(only(controller, 'Namespace').metadata.name).toBe('switchyard');
  });

  it('grants the controller nothing in its own cluster and gives the pod no API token', () => {
    expect(controller.filter((d) => rbacKinds.has(d.kind)).map((d) => d.kind)).toEqual([]);
    const account = only(controller, 'ServiceAccount', pod.serviceAccountName);
    expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::.+:role\/.+/);
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
  });
});

describe('deploy/kubernetes/deployment.yaml', () => {
  it('runs exactly one controller and stops the old pod before a new one starts (the store is locked)', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(controller.filter((d) => d.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('runs `switchyard serve` on the mounted config file', () => {
    expect(main.args).toEqual(['serve', '--config', '/etc/switchyard/controller.yaml']);
    const mount = mountAt('/etc/switchyard/controller.yaml');
    expect(mount.subPath).toBe('controller.yaml');
    expect(volume(mount.name).configMap.name).toBe('switchyard-config');
  });

  it('probes /healthz and /readyz on the port the server listens on, and the Service points there', async () => {
    expect(main.livenessProbe.httpGet.path).toBe('/healthz');
    expect(main.startupProbe.httpGet.path).toBe('/healthz');
    expect(main.readinessProbe.httpGet.path).toBe('/readyz');
    for (const probe of [main.livenessProbe, main.readinessProbe, main.startupProbe]) {
      expect(containerPort(probe.httpGet.port)).toBe(8080);
    }
    expect(controllerConfig.server).toEqual({ host: '0.0.0.0', port: 8080 });
    const service = only(controller, 'Service', 'switchyard');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([8080]);
    expect(containerPort(service.spec.ports[0].targetPort)).toBe(8080);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);

    // The paths exist on the real API and answer without a token.
    const { app } = await apiHarness();
    try {
      for (const path of ['/healthz', '/readyz']) {
        expect((await app.inject({ method: 'GET', url: path })).statusCode, path).toBe(200);
      }
    } finally {
      await app.close();
    }
  });

  it("runs as the image's non-root user with a read-only root filesystem and no capabilities", () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(main.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // The Dockerfile's USER is the same numeric uid (Kubernetes can only check numeric users).
    const users = readFileSync(join(root, 'Dockerfile'), 'utf8').match(/^USER\s+(\S+)/gm) ?? [];
    expect(users.at(-1)).toBe('USER 1000:1000');
    // With a read-only root filesystem, anything written goes to a volume.
    expect(volume(mountAt('/tmp').name).emptyDir).toBeDefined();
  });

  it('mounts store, tokens, platforms and fleets where a config the loader accepts says they are', async () => {
    // Lay the three ConfigMaps out as the pod sees them, and load them with the controller's own loader.
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-deploy-'));
    temps.push(dir);
    await writeFile(join(dir, 'controller.yaml'), controllerYaml);
    for (const folder of ['platforms', 'fleets']) {
      await mkdir(join(dir, folder));
      const files: Record<string, string> = configMap(`switchyard-${folder}`).data;
      for (const [key, text] of Object.entries(files)) await writeFile(join(dir, folder, key), text);
    }
    const loaded = await loadConfig({ file: join(dir, 'controller.yaml'), env: {} });
    expect([...loaded.platforms.keys()]).toEqual(['shop']);
    expect([...loaded.fleets.keys()]).toEqual(['standard']);
    // Inside the cluster both slots' clusters are reached through EKS, not a kubeconfig file.
    for (const platform of loaded.platforms.values()) {
      expect(platform.slots.a.kubeconfig).toBeUndefined();
      expect(platform.slots.b.kubeconfig).toBeUndefined();
    }

    const configDir = posix.dirname(main.args[2]);
    const platformsMount = mountAt(posix.resolve(configDir, controllerConfig.platformsDir));
    expect(volume(platformsMount.name).configMap.name).toBe('switchyard-platforms');
    const fleetsMount = mountAt(posix.resolve(configDir, controllerConfig.fleetsDir));
    expect(volume(fleetsMount.name).configMap.name).toBe('switchyard-fleets');

    const { store, auth } = loaded.controller;
    if (store.kind !== 'sqlite') throw new Error(`expected the sqlite store, got ${store.kind}`);
    expect(store.path).toBe('/var/lib/switchyard/switchyard.db');
    const claimName = volume(mountAt(posix.dirname(store.path)).name).persistentVolumeClaim.claimName;
    const claim = only(controller, 'PersistentVolumeClaim', claimName);
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);

    expect(auth.tokensFile).toBe('/etc/switchyard/tokens/tokens.yaml');
    expect(readme).toContain('--from-file=tokens.yaml=');
    const tokens = volume(mountAt(posix.dirname(auth.tokensFile ?? '')).name);
    expect(tokens.secret.secretName).toBe('switchyard-tokens');
    expect(auth.publicReads).toBe(false);
  });

  it("carries the repository's standard fleet strategy, the same settings without the comments", () => {
    const example = parse(configMap('switchyard-fleets').data['standard.yaml']);
    const standard = parse(readFileSync(join(root, 'config', 'fleets', 'standard.yaml'), 'utf8'));
    expect(example).toEqual(standard);
  });

  it("accepts the README's example tokens file", async () => {
    const example = /```yaml\n(- name:[\s\S]*?sha256:[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-tokens-'));
    temps.push(dir);
    await writeFile(join(dir, 'tokens.yaml'), example ?? '');
    const tokens = await loadTokens({ file: join(dir, 'tokens.yaml') });
    expect(tokens.map((t) => t.role)).toEqual(['operator', 'admin']);
  });
});
