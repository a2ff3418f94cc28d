import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import { applyWavesOf, loadManifests } from '../../../src/providers/kubernetes/services/manifests.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-manifests-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (path: string, text: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
};

describe('loadManifests', () => {
  it('reads YAML streams, JSON and Lists, recursively and in path order, skipping dot-directories', async () => {
    write(
      'b/web.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop}\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n',
    );
    write(
      'a.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }],
      }),
    );
    write('..data/a.json', '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}');
    write('notes.txt', 'not a manifest');
    const manifests = await loadManifests(dir);
    expect(manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual([
      'Namespace/shop',
      'ConfigMap/web',
      'Deployment/web',
    ]);
    expect(manifests[2]?.source).toBe(`${join(dir, 'b/web.yaml')} (document 3)`);
  });

  it('names the file and document of a broken manifest', async () => {
    write(
      'web.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: ConfigMap\nmetadata: {}\n',
    );
    const failure = loadManifests(dir);
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toThrow(
      `${join(dir, 'web.yaml')} (document 2): missing apiVersion, metadata.name`,
    );
  });

  it('refuses an object defined twice', async () => {
    write('a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop}\n');
    write('b.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop}\n');
    await expect(loadManifests(dir)).rejects.toThrow('ConfigMap shop/web is defined twice');
  });

  it('refuses invalid YAML and a missing directory, not retryably', async () => {
    write('bad.yaml', 'kind: [unclosed\n');
    await expect(loadManifests(dir)).rejects.toThrow('is not valid YAML');
    await expect(loadManifests(join(dir, 'absent'))).rejects.toMatchObject({ retryable: false });
  });
});

describe('applyWavesOf', () => {
  it('puts namespaces and CRDs first, workloads after their dependencies, autoscalers and ingress last', () => {
    const object = (kind: string) => ({ apiVersion: 'v1', kind, metadata: { name: kind.toLowerCase() } });
    const waves = applyWavesOf(
      ['Ingress', 'Deployment', 'ConfigMap', 'Namespace', 'Service', 'CustomResourceDefinition'].map(object),
    );
    expect(waves.map((wave) => wave.map((o) => o.kind))).toEqual([
      ['Namespace'],
      ['CustomResourceDefinition'],
      ['ConfigMap', 'Service'],
      ['Deployment'],
      ['Ingress'],
    ]);
  });
});
