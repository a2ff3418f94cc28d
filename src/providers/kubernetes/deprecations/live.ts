import {
  ApiException,
  ApisApi,
  CoreApi,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { apiStatus, type Sighting } from './classify.js';
import { DiscoveryApi } from './discovery.js';
import { apiRemovals, apiVersionOf, deprecatedApis } from './table.js';
import type { MinorVersion } from './version.js';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** Events are many, short-lived and written by controllers, never authored in manifests: not listed. */
const unlistedKinds = new Set(['Event']);
/** Green runs its own control plane: what blue's control plane wrote says nothing about green. */
const controlPlaneManagers = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);

/** Every group/version blue serves ('v1' for core), from /api and /apis. */
export async function servedApiVersions(config: KubeConfig): Promise<Set<string>> {
  const [core, groups] = await Promise.all([
    config.makeApiClient(CoreApi).getAPIVersions(),
    config.makeApiClient(ApisApi).getAPIVersions(),
  ]);
  return new Set([...core.versions, ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))]);
}

/**
 * For every kind in the tables, the versions to list it at, best first: versions the target still
 * serves before removed ones, replacements before the old versions. An object is stored once and
 * served at every version its server serves, so one served version shows all objects of the kind.
 */
export function listingCandidates(target: MinorVersion): Map<string, string[]> {
  const byKind = new Map<string, string[]>();
  const add = (kind: string, apiVersion: string | null) => {
    if (apiVersion === null || unlistedKinds.has(kind)) return;
    const list = byKind.get(kind) ?? [];
    if (!list.includes(apiVersion)) list.push(apiVersion);
    byKind.set(kind, list);
  };
  for (const e of apiRemovals) if (e.replacement.kind === undefined) add(e.kind, e.replacement.apiVersion);
  for (const e of [...apiRemovals, ...deprecatedApis]) add(e.kind, apiVersionOf(e));
  for (const [kind, versions] of byKind) {
    const removed = (v: string) => (apiStatus(v, kind, target)?.status === 'removed' ? 1 : 0);
    byKind.set(
      kind,
      versions
        .map((v, i) => ({ v, i }))
        .sort((a, b) => removed(a.v) - removed(b.v) || a.i - b.i)
        .map((x) => x.v),
    );
  }
  return byKind;
}

export interface LiveScan {
  readonly sightings: Sighting[];
  objects: number;
  readonly unreadable: string[];
  /** Removed versions blue still serves for kinds that have objects: clients may still call them. */
  readonly servedWarnings: string[];
}

/** Lists blue's objects of every at-risk kind and collects what their metadata says about authoring. */
export async function scanLiveObjects(options: {
  readonly blue: KubeConfig;
  readonly target: MinorVersion;
  readonly served: ReadonlySet<string>;
  readonly namespaces?: readonly string[] | undefined;
}): Promise<LiveScan> {
  const { target } = options;
  const api = options.blue.makeApiClient(DiscoveryApi);
  const kinds = [...listingCandidates(target)];
  // Each kind is scanned into its own part and the parts are joined in the table's order, so the
  // result reads the same whichever list answered first.
  const parts = kinds.map(
    (): LiveScan => ({ sightings: [], objects: 0, unreadable: [], servedWarnings: [] }),
  );
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < kinds.length; i = next++) {
      const [kind, candidates] = kinds[i] as [string, string[]];
      const part = parts[i] as LiveScan;
      try {
        await scanKind(api, kind, candidates, options, part);
      } catch (error) {
        part.unreadable.push(
          `${kind}: ${error instanceof ApiException ? `HTTP ${error.code}` : String(error)}`,
        );
      }
    }
  };
  // A few lists at a time: one after another, a cluster-wide scan is dozens of round trips end to
  // end; all at once would be a burst the API server's priority and fairness may throttle.
  await Promise.all(Array.from({ length: Math.min(scanConcurrency, kinds.length) }, worker));
  return {
    sightings: parts.flatMap((p) => p.sightings),
    objects: parts.reduce((sum, p) => sum + p.objects, 0),
    unreadable: parts.flatMap((p) => p.unreadable),
    servedWarnings: parts.flatMap((p) => p.servedWarnings),
  };
}

/** Kinds listed at the same time during a scan. */
const scanConcurrency = 6;

async function scanKind(
  api: DiscoveryApi,
  kind: string,
  candidates: readonly string[],
  options: {
    readonly target: MinorVersion;
    readonly served: ReadonlySet<string>;
    readonly namespaces?: readonly string[] | undefined;
  },
  scan: LiveScan,
): Promise<void> {
  const { target, served, namespaces } = options;
  const listing = await pickVersion(api, served, kind, candidates);
  // Not served at all, or cluster-scoped in a namespace-scoped scan.
  if (!listing || (!listing.resource.namespaced && namespaces)) return;
  const items = await listAll(api, listing.apiVersion, kind, listing.resource.namespaced, namespaces, scan);
  scan.objects += items.length;
  const listedAtRemoved = apiStatus(listing.apiVersion, kind, target)?.status === 'removed';
  for (const item of items) {
    scan.sightings.push(...objectSightings(item, kind, listing.apiVersion, listedAtRemoved, served));
  }
  if (items.length === 0 || listedAtRemoved) return;
  for (const old of candidates) {
    const status = apiStatus(old, kind, target);
    if (status?.status !== 'removed' || !served.has(old) || !(await api.kindResource(old, kind))) continue;
    scan.servedWarnings.push(
      `blue still serves ${old} ${kind}, gone in ${status.entry.removedIn}: its ${items.length} ${kind} ` +
        `object(s) carry over as ${listing.apiVersion}, but an object scan cannot see API clients still ` +
        `calling ${old}; check the audit log or the apiserver_requested_deprecated_apis metric`,
    );
  }
}

async function pickVersion(
  api: DiscoveryApi,
  served: ReadonlySet<string>,
  kind: string,
  candidates: readonly string[],
) {
  for (const apiVersion of candidates) {
    if (!served.has(apiVersion)) continue;
    const resource = await api.kindResource(apiVersion, kind);
    if (resource?.verbs.includes('list')) return { apiVersion, resource };
  }
  return undefined;
}

async function listAll(
  api: DiscoveryApi,
  apiVersion: string,
  kind: string,
  namespaced: boolean,
  namespaces: readonly string[] | undefined,
  scan: LiveScan,
): Promise<KubernetesObject[]> {
  const items: KubernetesObject[] = [];
  for (const namespace of namespaced && namespaces ? namespaces : [undefined]) {
    try {
      items.push(...(await listPages(api, apiVersion, kind, namespace)));
    } catch (error) {
      const where = `${kind} at ${apiVersion}${namespace ? ` in ${namespace}` : ''}`;
      scan.unreadable.push(
        `${where}: ${error instanceof ApiException ? `HTTP ${error.code}` : String(error)}`,
      );
    }
  }
  return items;
}

/** Every object of a kind at one version, in one namespace or (undefined) all, page by page: metadata only. */
export async function listPages(
  api: DiscoveryApi,
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
): Promise<KubernetesObject[]> {
  const items: KubernetesObject[] = [];
  let token: string | undefined;
  do {
    const page = await api.listMetadata(apiVersion, kind, namespace, token);
    items.push(...page.items);
    token = page.continueToken;
  } while (token);
  return items;
}

/** What one live object tells: its only served version, its last-applied manifest, its field managers. */
export function objectSightings(
  item: KubernetesObject,
  kind: string,
  listedAt: string,
  listedAtRemoved: boolean,
  served: ReadonlySet<string>,
): Sighting[] {
  const metadata = item.metadata ?? {};
  const ref = {
    kind,
    name: metadata.name ?? '(unnamed)',
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
  };
  const sightings: Sighting[] = [];
  if (listedAtRemoved) {
    sightings.push({
      object: { ...ref, apiVersion: listedAt },
      source: 'live',
      detail: `blue serves ${kind} only at ${listedAt}`,
    });
  }
  const lastApplied = parseLastApplied(metadata.annotations?.[lastAppliedAnnotation]);
  if (lastApplied) {
    sightings.push({
      object: { ...ref, kind: lastApplied.kind ?? kind, apiVersion: lastApplied.apiVersion },
      source: 'last-applied',
      detail: `${lastAppliedAnnotation} says ${lastApplied.apiVersion}`,
    });
  }
  // A field manager records the version it wrote with. Only versions blue still serves count: one it
  // no longer serves cannot have been written since, so such an entry is history, not a live client.
  for (const entry of metadata.managedFields ?? []) {
    const { apiVersion, manager = '(unnamed manager)' } = entry;
    if (
      !apiVersion ||
      apiVersion === listedAt ||
      !served.has(apiVersion) ||
      controlPlaneManagers.has(manager)
    )
      continue;
    // A string as listed (plain JSON); a Date from the library's typed models.
    const time: unknown = entry.time;
    const when =
      time instanceof Date ? ` at ${time.toISOString()}` : typeof time === 'string' ? ` at ${time}` : '';
    sightings.push({
      object: { ...ref, apiVersion },
      source: 'live',
      detail: `field manager ${manager} wrote ${apiVersion}${when}`,
    });
  }
  return sightings;
}

function parseLastApplied(text: string | undefined): { apiVersion: string; kind?: string } | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { apiVersion, kind } = parsed as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== 'string') return undefined;
    return typeof kind === 'string' ? { apiVersion, kind } : { apiVersion };
  } catch {
    return undefined; // hand-edited annotation: it says nothing reliable
  }
}
