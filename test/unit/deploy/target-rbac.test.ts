import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listingCandidates } from '../../../src/providers/kubernetes/deprecations/live.js';
import { parseVersion } from '../../../src/providers/kubernetes/deprecations/version.js';
import { copiedKinds } from '../../../src/providers/kubernetes/services/copy.js';
import { workloadKinds } from '../../../src/providers/kubernetes/services/objects.js';
import { type KubeDoc, loadManifest, only, root } from './manifests.js';

/**
 * deploy/kubernetes/target-cluster-rbac.yaml must grant exactly the Kubernetes calls the controller
 * makes in blue and green. The expected grants are derived from the code: the typed client calls
 * (core.listNode, apps.readNamespacedDeployment, ...) are found by pattern, the kinds of the JSON
 * client's calls come from the same constants the code uses (copiedKinds, workloadKinds, the
 * deprecation table), and every call site of the JSON client must be one this test accounts for.
 */

const docs = loadManifest('target-cluster-rbac.yaml');
const reader = only(docs, 'ClusterRole', 'switchyard-reader');
const deployer = only(docs, 'ClusterRole', 'switchyard-deployer');

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');

/** The resource name of a built-in kind: lower case, plural. */
function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === 'endpoints') return lower;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

const grant = (group: string, resource: string, verb: string) => `${group || 'core'}/${resource}:${verb}`;

/** Every (group, resource, verb) a role's rules allow, and its non-resource URLs. */
function granted(role: KubeDoc): { resources: Set<string>; urls: Set<string> } {
  const resources = new Set<string>();
  const urls = new Set<string>();
  for (const rule of role.rules as Record<string, string[] | undefined>[]) {
    for (const verb of rule.verbs ?? []) {
      for (const url of rule.nonResourceURLs ?? []) urls.add(`${url}:${verb}`);
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) resources.add(grant(group, resource, verb));
      }
    }
  }
  return { resources, urls };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Code that talks to the management cluster the controller runs in (leases, its own resources) is left
 * out: its permissions are the Helm chart's Role there, not this role in blue and green.
 */
const managementClusterCode = [
  'src/ha/',
  'src/kube-native/',
  'src/store/kubernetes/',
  'src/server/store-runtime.ts',
];

const sources = sourceFiles(join(root, 'src'))
  .map((file) => ({ file: relative(root, file), text: readFileSync(file, 'utf8') }))
  .filter(({ file }) => !managementClusterCode.some((dir) => file.startsWith(dir)));

/** Typed client calls: `core.listNamespacedPod(`, `apps.readNamespacedDeployment(`, ... */
function typedClientGrants(): Set<string> {
  const found = new Set<string>();
  const group: Record<string, string> = { core: '', apps: 'apps' };
  const verb: Record<string, string> = { list: 'list', read: 'get' };
  for (const { text } of sources) {
    for (const m of text.matchAll(
      /\b(core|apps)\.(list|read)(?:Namespaced)?([A-Z][A-Za-z]*?)(?:ForAllNamespaces)?\(/g,
    )) {
      found.add(grant(group[m[1] ?? ''] ?? '?', plural(m[3] ?? ''), verb[m[2] ?? ''] ?? '?'));
    }
  }
  return found;
}

/** Kinds that cannot be listed (create-only reviews); the scan skips them by their verbs. */
const unlistable = new Set([
  'TokenReview',
  'LocalSubjectAccessReview',
  'SelfSubjectAccessReview',
  'SubjectAccessReview',
  'SelfSubjectRulesReview',
]);

/** The removed-API scan lists every kind of the deprecation table, at any version blue serves. */
function scanGrants(): Set<string> {
  const found = new Set<string>();
  for (const [kind, versions] of listingCandidates(parseVersion('1.36'))) {
    if (unlistable.has(kind)) continue;
    // extensions/v1beta1 is served by no Kubernetes release EKS still runs (it went in 1.22).
    for (const group of new Set(versions.map(groupOf))) {
      if (group !== 'extensions') found.add(grant(group, plural(kind), 'list'));
    }
  }
  return found;
}

const kindGrants = (kinds: readonly { apiVersion: string; kind: string }[], verbs: readonly string[]) =>
  kinds.flatMap(({ apiVersion, kind }) => verbs.map((v) => grant(groupOf(apiVersion), plural(kind), v)));
const workloads = workloadKinds.map((kind) => ({ apiVersion: 'apps/v1', kind }));
const namespace = [{ apiVersion: 'v1', kind: 'Namespace' }];

/**
 * Every call of the JSON client (services/client.ts) and of the scan's KubernetesObjectApi, by file
 * and call text, with what it needs. A call site not listed here fails the test: account for it.
 */
const jsonClientCalls: Record<string, { readonly reads?: string[]; readonly writes?: string[] }> = {
  "services/copy.ts: client.list('v1', 'Namespace'": { reads: kindGrants(namespace, ['list']) },
  "services/copy.ts: client.get('v1', 'Namespace'": { reads: kindGrants(namespace, ['get']) },
  'services/copy.ts: client.list(apiVersion, kind': { reads: kindGrants(copiedKinds, ['list']) },
  "services/workloads.ts: client.get('apps/v1', ref.kind": { reads: kindGrants(workloads, ['get']) },
  "services/workloads.ts: client.list('apps/v1', kind": { reads: kindGrants(workloads, ['list']) },
  // The change feed of a rollout under way (qualify-services looks again when it moves).
  "services/rollout-feed.ts: client.watch('apps/v1', kind": { reads: kindGrants(workloads, ['watch']) },
  'services/apply.ts: client.apply(target': {
    // Server-side apply: patch, and create for objects that do not exist yet. What is applied: the
    // copied kinds and their namespaces.
    writes: kindGrants([...namespace, ...copiedKinds], ['create', 'patch']),
  },
  'deprecations/live.ts: api.listMetadata(apiVersion, kind': { reads: [...scanGrants()] },
};

function jsonClientCallSites(): string[] {
  const sites: string[] = [];
  for (const { file, text } of sources) {
    if (!file.startsWith('src/providers/kubernetes/')) continue;
    for (const m of text.matchAll(/\b(client|api)\.(list|listMetadata|get|apply|watch)\(([^)]*)\)?/g)) {
      const args = (m[3] ?? '').replace(/\s+/g, ' ').trim().split(',').slice(0, 2).join(',').trim();
      sites.push(`${file.replace('src/providers/kubernetes/', '')}: ${m[1]}.${m[2]}(${args}`);
    }
  }
  return sites;
}

describe('deploy/kubernetes/target-cluster-rbac.yaml', () => {
  it('accounts for every call site of the JSON client and the scan', () => {
    const sites = jsonClientCallSites();
    expect(
      sites.filter((site) => !(site in jsonClientCalls)),
      'new call sites: add them to jsonClientCalls',
    ).toEqual([]);
    expect(
      Object.keys(jsonClientCalls).filter((site) => !sites.includes(site)),
      'stale entries',
    ).toEqual([]);
  });

  it('makes no typed client calls besides reads through CoreV1Api and AppsV1Api', () => {
    const clients = new Set(
      sources.flatMap(({ text }) => [...text.matchAll(/makeApiClient\((\w+)\)/g)].map((m) => m[1])),
    );
    // CoreApi, ApisApi: /api, /apis; DiscoveryApi: the scan's KubernetesObjectApi.
    expect([...clients].sort()).toEqual(['ApisApi', 'AppsV1Api', 'CoreApi', 'CoreV1Api', 'DiscoveryApi']);
    const writes = sources.filter(({ text }) =>
      /\b(core|apps)\.(create|patch|replace|delete)\w*\(/.test(text),
    );
    expect(writes.map((s) => s.file)).toEqual([]);
  });

  it('switchyard-reader grants exactly the reads the controller makes', () => {
    const expected = new Set([
      ...typedClientGrants(),
      ...Object.values(jsonClientCalls).flatMap((c) => c.reads ?? []),
    ]);
    // The typed calls found must include the ones we know of, so a broken pattern cannot pass.
    expect([...typedClientGrants()]).toEqual(
      expect.arrayContaining([
        'core/nodes:list',
        'core/pods:list',
        'core/secrets:list',
        'apps/daemonsets:get',
      ]),
    );
    const { resources } = granted(reader);
    expect([...resources].filter((g) => !expected.has(g)).sort(), 'granted but never used').toEqual([]);
    expect([...expected].filter((g) => !resources.has(g)).sort(), 'used but not granted').toEqual([]);
  });

  it('switchyard-reader allows discovery, nothing else outside resources', () => {
    expect([...granted(reader).urls].sort()).toEqual(['/api/*:get', '/api:get', '/apis/*:get', '/apis:get']);
  });

  it('switchyard-deployer grants exactly the server-side applies of a copy, and no reads', () => {
    const expected = new Set(Object.values(jsonClientCalls).flatMap((c) => c.writes ?? []));
    const { resources, urls } = granted(deployer);
    expect([...resources].sort()).toEqual([...expected].sort());
    expect(urls.size).toBe(0);
  });

  it('binds each role to the group of the same name, and nothing grants delete or wildcards', () => {
    for (const name of ['switchyard-reader', 'switchyard-deployer']) {
      const binding = only(docs, 'ClusterRoleBinding', name);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
      expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name }]);
    }
    for (const role of [reader, deployer]) {
      for (const rule of role.rules as Record<string, string[] | undefined>[]) {
        expect([...(rule.apiGroups ?? []), ...(rule.resources ?? [])]).not.toContain('*');
        for (const verb of rule.verbs ?? [])
          expect(['get', 'list', 'watch', 'create', 'patch']).toContain(verb);
      }
    }
  });
});
