import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { keptAliveAgent } from '../connections.js';
import { exchange } from '../http-library.js';
import { isRecord, type KubeObject } from './objects.js';

/** Field manager of every server-side apply Switchyard makes. */
export const fieldManager = 'switchyard';
const requestTimeoutMs = 30_000;
/** A watch ends on the server after this long; whoever wanted it has looked again long before. */
const watchTimeoutSeconds = 600;
const pageSize = 500;

/** A response from the API server outside 2xx; `code` is the HTTP status (isRetryable reads it). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    readonly detail: string,
  ) {
    super(`HTTP ${code}${reason ? ` ${reason}` : ''}: ${detail}`);
  }
}

/** The API server does not serve this apiVersion/kind (no such group, version or kind in discovery). */
export class KindNotServedError extends Error {
  override readonly name = 'KindNotServedError';
}

interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
}

/**
 * A small JSON client for one cluster. It sends and receives objects exactly as JSON, unlike the
 * generated client's typed models, which drop every field the client release does not know: a copy
 * from blue, or a manifest written for a newer Kubernetes, would silently lose fields on apply.
 * Credentials, CA and proxy settings still come from KubeConfig (applyToHTTPSOptions, which runs the
 * kubeconfig's auth plugin, e.g. `aws eks get-token`, and caches its token).
 */
export class KubeClient {
  private readonly discovery = new Map<string, Promise<Map<string, ApiResource>>>();
  private readonly server: URL;

  constructor(private readonly config: KubeConfig) {
    const server = config.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster with a server address');
    this.server = new URL(server);
  }

  /** Discovery for apiVersion/kind; throws KindNotServedError when the server does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    let found = (await this.resources(apiVersion)).get(kind);
    if (!found) {
      // A CRD applied moments ago may be missing from a cached answer: ask once more.
      this.discovery.delete(apiVersion);
      found = (await this.resources(apiVersion)).get(kind);
    }
    if (!found) throw new KindNotServedError(`the API server does not serve ${apiVersion} ${kind}`);
    return found;
  }

  /** Every object of a kind (in one namespace, when given), following `continue` tokens. */
  async list(
    apiVersion: string,
    kind: string,
    options: { readonly namespace?: string; readonly labelSelector?: string } = {},
  ): Promise<KubeObject[]> {
    const base = await this.collectionPath(apiVersion, kind, options.namespace);
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (options.labelSelector) query.set('labelSelector', options.labelSelector);
      if (token) query.set('continue', token);
      const page = (await this.request('GET', `${base}?${query}`)) as {
        items?: Omit<KubeObject, 'apiVersion' | 'kind'>[];
        metadata?: { continue?: string };
      };
      // List items carry no apiVersion/kind of their own.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind } as KubeObject);
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
    return items;
  }

  /** One object, or undefined when it does not exist. */
  async get(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<KubeObject | undefined> {
    const path = `${await this.collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`;
    try {
      return (await this.request('GET', path)) as KubeObject;
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  /**
   * Server-side apply with field manager "switchyard" and force: Switchyard owns the fields it sends
   * (taking them over from any other manager) and nothing else. Applying the same object again is a
   * no-op: the server writes nothing and the resourceVersion stays.
   */
  async apply(object: KubeObject): Promise<KubeObject> {
    const { namespace, name } = object.metadata;
    const path = `${await this.collectionPath(object.apiVersion, object.kind, namespace)}/${encodeURIComponent(name)}`;
    const query = new URLSearchParams({ fieldManager, force: 'true' });
    return (await this.request('PATCH', `${path}?${query}`, object)) as KubeObject;
  }

  private async collectionPath(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
  ): Promise<string> {
    const resource = await this.resource(apiVersion, kind);
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!resource.namespaced) return `${root}/${resource.name}`;
    if (!namespace) throw new Error(`${kind} is namespaced, but no namespace was given`);
    return `${root}/namespaces/${encodeURIComponent(namespace)}/${resource.name}`;
  }

  private resources(apiVersion: string): Promise<Map<string, ApiResource>> {
    let cached = this.discovery.get(apiVersion);
    if (!cached) {
      const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      cached = this.request('GET', root).then(
        (list) => {
          const byKind = new Map<string, ApiResource>();
          const resources = (list as { resources?: { name: string; kind: string; namespaced: boolean }[] })
            .resources;
          // Subresources ("deployments/status") share the kind of their parent; skip them.
          for (const r of resources ?? []) if (!r.name.includes('/')) byKind.set(r.kind, r);
          return byKind;
        },
        (error: unknown) => {
          if (error instanceof KubeApiError && error.code === 404) return new Map<string, ApiResource>();
          throw error;
        },
      );
      this.discovery.set(apiVersion, cached);
      // A failed lookup must not stay cached.
      cached.catch(() => {
        this.discovery.delete(apiVersion);
      });
    }
    return cached;
  }

  /**
   * Watches a kind in one namespace: calls `onEvent` for each change the server streams (it may start
   * by sending every existing object as ADDED). Ends quietly on any error, on the server's timeout or
   * when the returned function is called: callers treat a watch as a hint and keep their own timer.
   * A long-lived stream, so it goes on a connection of its own, never a kept-alive one.
   */
  watch(
    apiVersion: string,
    kind: string,
    namespace: string,
    onEvent: (event: { readonly type: string; readonly object: KubeObject }) => void,
  ): () => void {
    const abort = new AbortController();
    const stream = async () => {
      const path = await this.collectionPath(apiVersion, kind, namespace);
      const query = new URLSearchParams({ watch: '1', timeoutSeconds: String(watchTimeoutSeconds) });
      const { url, options } = await this.prepare('GET', `${path}?${query}`, { keepAlive: false });
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(url, { ...options, signal: abort.signal }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          return;
        }
        let pending = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          try {
            for (const line of lines) if (line.trim() !== '') onEvent(JSON.parse(line));
          } catch {
            abort.abort(); // not a watch stream after all: end it, as any failure does
          }
        });
        response.on('error', () => undefined);
      });
      request.on('error', () => undefined);
      request.end();
    };
    stream().catch(() => undefined);
    return () => abort.abort();
  }

  /** URL, options (credentials, TLS, agent) and transport for one call to the API server. */
  private async prepare(method: string, path: string, { keepAlive }: { readonly keepAlive: boolean }) {
    const options: RequestOptions & { servername?: string } = {
      method,
      headers: { Accept: 'application/json' },
    };
    await this.config.applyToHTTPSOptions(options);
    // One request and its answer: a kept-alive connection serves it when the KubeConfig is shared.
    if (keepAlive && options.agent instanceof HttpAgent) options.agent = keptAliveAgent(options.agent);
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    const plain = url.protocol === 'http:';
    // The kubeconfig's agent speaks TLS; a plain-HTTP server (a local proxy) needs the default one.
    if (plain) delete options.agent;
    return { url, options };
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { url, options } = await this.prepare(method, path, { keepAlive: true });
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      // JSON is YAML, so an apply patch can be sent as JSON under the apply content type.
      options.headers = { ...options.headers, 'Content-Type': 'application/apply-patch+yaml' };
    }
    // Every call made here (reads, apply patches) means the same sent twice, so all are repeatable.
    const answer = await exchange(
      url,
      { ...options, signal: AbortSignal.timeout(requestTimeoutMs) },
      payload,
      true,
    );
    const response = { status: answer.status, text: answer.body.toString('utf8') };
    if (response.status >= 200 && response.status < 300) return JSON.parse(response.text) as unknown;
    throw apiError(response.status, response.text);
  }
}

/** The API server's Status object (message, reason) when the body is one. */
function apiError(status: number, text: string): KubeApiError {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && typeof parsed.message === 'string') {
      return new KubeApiError(
        status,
        typeof parsed.reason === 'string' ? parsed.reason : undefined,
        parsed.message,
      );
    }
  } catch {
    // Not JSON (a proxy's HTML error page, say): report its start.
  }
  return new KubeApiError(status, undefined, text.trim().slice(0, 300) || '(empty body)');
}
