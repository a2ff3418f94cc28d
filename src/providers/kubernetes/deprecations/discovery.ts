/**
 * How the removed-API scan reads a cluster: discovery asked once (aggregated where the server has it)
 * and lists of object metadata, both as plain JSON over the cluster's shared transport.
 */
import {
  ApiException,
  HttpMethod,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1APIResource,
} from '@kubernetes/client-node';

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
