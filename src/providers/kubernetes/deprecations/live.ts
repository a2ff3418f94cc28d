import {
  ApiException,
  ApisApi,
  CoreApi,
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1APIResource,
} from '@kubernetes/client-node';
import { apiStatus, type Sighting } from './classify.js';
import { apiRemovals, apiVersionOf, deprecatedApis } from './table.js';
import type { MinorVersion } from './version.js';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** Events are many, short-lived and written by controllers, never authored in manifests: not listed. */
const unlistedKinds = new Set(['Event']);
/** Green runs its own control plane: what blue's control plane wrote says nothing about green. */
const controlPlaneManagers = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
const pageSize = 500;

/**
 * KubernetesObjectApi with its discovery lookup opened up and asked once. Discovery comes from the
 * aggregated documents (Kubernetes 1.26 and later: every group/version's resources in two requests,
 * /api and /apis); a server without them is asked per group/version, once each however many lists
 * look it up at once (the library's own cache asks again until an answer arrives, and for any kind a
 * version does not serve).
 */
export class DiscoveryApi extends KubernetesObjectApi {
  private readonly lists = new Map<string, Promise<readonly V1APIResource[]>>();
  private aggregated: Promise<ReadonlyMap<string, readonly V1APIResource[]> | undefined> | undefined;

  kindResource(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }

  /** Every resource one group/version serves (subresources included): one request, however many ask. */
  resourcesOf(apiVersion: string): Promise<readonly V1APIResource[]> {
    let list = this.lists.get(apiVersion);
    if (list === undefined) {
      list = this.allResources().then((all) => all?.get(apiVersion) ?? this.askVersion(apiVersion));
      // A failed lookup (a timeout, an aggregated API down) is asked again by the next caller.
      list.catch(() => this.lists.delete(apiVersion));
      this.lists.set(apiVersion, list);
    }
    return list;
  }

  /** Also the lookup the library's own list and read use to build their paths. */
  protected override async resource(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return (await this.resourcesOf(apiVersion)).find((resource) => resource.kind === kind);
  }

  /** The aggregated discovery documents, read once; undefined when the server has none (or failed). */
  private allResources(): Promise<ReadonlyMap<string, readonly V1APIResource[]> | undefined> {
    this.aggregated ??= Promise.all([
      this.getJson('/api', aggregatedAccept),
      this.getJson('/apis', aggregatedAccept),
    ])
      .then((documents) => resourcesByVersion(documents))
      .catch(() => undefined);
    return this.aggregated;
  }

  /** One group/version's resource list, the way older servers serve it. */
  private async askVersion(apiVersion: string): Promise<readonly V1APIResource[]> {
    // No kind is named "": the library's lookup then fetches and caches the group/version's list.
    await super.resource(apiVersion, '');
    return this.apiVersionResourceCache[apiVersion]?.resources ?? [];
  }

  /**
   * One page of a kind's objects (in one namespace, or all when undefined) as their metadata only
   * (PartialObjectMetadata): what the scan reads (names, annotations, field managers) without specs,
   * data or a CRD's schemas, which can make a whole-cluster list tens of megabytes. Parsed as plain
   * JSON, not into the library's typed models, whose conversion cost more CPU than the request. A
   * server that cannot answer with metadata only answers the whole objects, which read the same.
   */
  async listMetadata(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    continueToken: string | undefined,
  ): Promise<{ readonly items: KubernetesObject[]; readonly continueToken: string | undefined }> {
    const resource = await this.resource(apiVersion, kind);
    if (resource === undefined) throw new Error(`blue does not serve ${apiVersion} ${kind}`);
    const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (continueToken) query.set('continue', continueToken);
    const page = (await this.getJson(
      `${this.apiVersionPath(apiVersion)}${scope}/${resource.name}?${query}`,
      metadataOnly,
    )) as { items?: KubernetesObject[]; metadata?: { continue?: string } };
    return { items: page.items ?? [], continueToken: page.metadata?.continue || undefined };
  }

  /** A GET with the cluster's credentials and transport, its answer parsed as plain JSON. */
  private async getJson(path: string, accept: string): Promise<unknown> {
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    request.setHeaderParam('Accept', accept);
    await this.configuration.authMethods.default?.applySecurityAuthentication(request);
    const response = await this.configuration.httpApi.send(request).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new ApiException(response.httpStatusCode, `GET ${path}`, text, response.headers);
    }
    return JSON.parse(text) as unknown;
  }
}

/** The aggregated discovery documents (v2, or v2beta1 on 1.26 to 1.29), else the plain group lists. */
const aggregatedAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, ' +
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList, application/json';

interface AggregatedGroup {
  readonly metadata?: { readonly name?: string };
  readonly versions?: readonly {
    readonly version: string;
    readonly resources?: readonly {
      readonly resource: string;
      readonly responseKind?: { readonly kind?: string };
      readonly scope?: string;
      readonly singularResource?: string;
      readonly verbs?: readonly string[];
    }[];
  }[];
}

/**
 * Each group/version's resources from the aggregated documents of /api and /apis, in the shape of a
 * plain resource list; undefined when either answer is not an aggregated document (an older server
 * answered with its plain group list).
 */
export function resourcesByVersion(documents: readonly unknown[]): Map<string, V1APIResource[]> | undefined {
  const byVersion = new Map<string, V1APIResource[]>();
  for (const document of documents) {
    const { kind, items } = (document ?? {}) as { kind?: unknown; items?: unknown };
    if (kind !== 'APIGroupDiscoveryList' || !Array.isArray(items)) return undefined;
    for (const group of items as AggregatedGroup[]) {
      const name = group.metadata?.name ?? '';
      for (const { version, resources = [] } of group.versions ?? []) {
        byVersion.set(
          name ? `${name}/${version}` : version,
          resources.map((r) => ({
            name: r.resource,
            kind: r.responseKind?.kind ?? '',
            namespaced: r.scope === 'Namespaced',
            singularName: r.singularResource ?? '',
            verbs: [...(r.verbs ?? [])],
          })),
        );
      }
    }
  }
  return byVersion;
}

/** Metadata only where the server can, the whole objects where it cannot (an aggregated API, say). */
const metadataOnly = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json';

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
