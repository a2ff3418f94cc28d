import {
  ApiException,
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { ProviderError } from '../../../domain/errors.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { errorMessage, isRetryable } from '../../../domain/retryable.js';

/** Gives a cluster's credentials; may throw when they cannot be loaded. */
/**
 * How to reach a cluster. May be async: an EKS cluster's endpoint and CA come from DescribeCluster, and
 * green does not exist when the controller starts.
 */
export type ClusterAccess = (cluster: ClusterRef) => KubeConfig | Promise<KubeConfig>;

/** The API clients for one cluster, plus what every call needs to name it and bound its time. */
export interface KubeClients {
  readonly cluster: ClusterRef;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  /** Per-call options: a deadline on every request. */
  readonly options: ConfigurationOptions;
  readonly timeoutMs: number;
}

export const defaultRequestTimeoutMs = 30_000;

export async function connect(
  cluster: ClusterRef,
  access: ClusterAccess,
  timeoutMs: number,
): Promise<KubeClients> {
  const config = await credentialsOf(cluster, access);
  return { ...apiClients(config, timeoutMs), cluster, timeoutMs };
}

/** The cluster's KubeConfig; a failure to load it is a ProviderError naming the cluster. */
export async function credentialsOf(cluster: ClusterRef, access: ClusterAccess): Promise<KubeConfig> {
  try {
    return await access(cluster);
  } catch (error) {
    // A provider error (e.g. EKS throttling while looking up the endpoint) keeps its retryability.
    if (error instanceof ProviderError) throw error;
    throw new ProviderError(
      `cluster ${cluster.name}: cannot load its credentials: ${errorMessage(error)}`,
      false,
      {
        cause: error,
      },
    );
  }
}

type ApiClients = Pick<KubeClients, 'core' | 'apps' | 'options'>;

/**
 * The API clients of one KubeConfig, built once and reused by every check of every promotion on that
 * cluster: the access function hands out the same KubeConfig object for the same cluster.
 */
const built = new WeakMap<KubeConfig, Map<number, ApiClients>>();

function apiClients(config: KubeConfig, timeoutMs: number): ApiClients {
  let byTimeout = built.get(config);
  if (byTimeout === undefined) {
    byTimeout = new Map();
    built.set(config, byTimeout);
  }
  let clients = byTimeout.get(timeoutMs);
  if (clients === undefined) {
    const deadline: ObservableMiddleware = {
      // A fresh signal per request: the deadline counts from each request's start.
      pre: (context: RequestContext) => {
        context.setSignal(AbortSignal.timeout(timeoutMs));
        return new Observable(Promise.resolve(context));
      },
      post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
    };
    clients = {
      core: config.makeApiClient(CoreV1Api),
      apps: config.makeApiClient(AppsV1Api),
      options: { middleware: [deadline], middlewareMergeStrategy: 'append' },
    };
    byTimeout.set(timeoutMs, clients);
  }
  return clients;
}

/** Network failures that say "the cluster cannot be reached now", beyond those isRetryable knows. */
const unreachableCodes = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'ENOTFOUND']);

/** A Kubernetes client or network error as a ProviderError naming the cluster and what was being done. */
export function kubeError(
  cluster: ClusterRef,
  action: string,
  error: unknown,
  timeoutMs?: number,
): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = error as { name?: string; code?: unknown };
  const timedOut = e.name === 'AbortError' || e.name === 'TimeoutError';
  const retryable =
    timedOut || isRetryable(error) || (typeof e.code === 'string' && unreachableCodes.has(e.code));
  const detail = timedOut ? `no answer within ${timeoutMs ?? '?'} ms` : describe(error);
  return new ProviderError(`cluster ${cluster.name}: cannot ${action}: ${detail}`, retryable, {
    cause: error,
  });
}

function describe(error: unknown): string {
  if (!(error instanceof ApiException)) return errorMessage(error);
  const code = error.code as number;
  const known: Record<number, string> = {
    401: 'credentials rejected (401 Unauthorized)',
    403: 'access denied (403 Forbidden)',
    404: 'not found (404)',
    429: 'throttled (429 Too Many Requests)',
  };
  const status = statusMessage(error.body);
  const head = known[code] ?? `HTTP ${code}`;
  return status ? `${head}: ${status}` : head;
}

/** The apiserver's Status message, when the body is one. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 300) || undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** Runs one API call, turning any failure into a ProviderError about `action` on the cluster. */
export async function kubeCall<T>(
  clients: KubeClients,
  action: string,
  call: (options: ConfigurationOptions) => Promise<T>,
): Promise<T> {
  try {
    return await call(clients.options);
  } catch (error) {
    throw kubeError(clients.cluster, action, error, clients.timeoutMs);
  }
}

interface Page<T> {
  readonly items: T[];
  readonly metadata?: { readonly _continue?: string };
}

/** Follows `continue` tokens so large clusters are read in pages of 500. */
export async function listAll<T>(
  clients: KubeClients,
  action: string,
  page: (request: { limit: number; _continue?: string }, options: ConfigurationOptions) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const request = token === undefined ? { limit: 500 } : { limit: 500, _continue: token };
    const result = await kubeCall(clients, action, (options) => page(request, options));
    items.push(...result.items);
    token = result.metadata?._continue || undefined;
  } while (token !== undefined);
  return items;
}
