import { ProviderError } from '../../../domain/errors.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { errorMessage, isRetryable } from '../../../domain/retryable.js';
import { KindNotServedError, KubeApiError } from './client.js';

/** Network failures that mean "the cluster cannot be reached now", beyond those isRetryable knows. */
const unreachableCodes = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'ENOTFOUND']);

const statusText: Readonly<Record<number, string>> = {
  401: 'credentials rejected (401 Unauthorized)',
  403: 'access denied (403 Forbidden)',
  404: 'not found (404)',
  429: 'throttled (429 Too Many Requests)',
};

/**
 * Any failure of a Kubernetes call as a ProviderError that names the cluster, the action and the object:
 * "cluster green: cannot apply Deployment shop/web: HTTP 422 Invalid: …". Retryable: cannot reach the
 * server, timeouts, 409/410/429/5xx. Not retryable: 401/403 (credentials, RBAC) and other 4xx (the
 * object or the configuration is wrong and will stay wrong).
 */
export function kubeError(cluster: ClusterRef, action: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const prefix = `cluster ${cluster.name}: cannot ${action}`;
  if (error instanceof KubeApiError) {
    const head = statusText[error.code] ?? `HTTP ${error.code}${error.reason ? ` ${error.reason}` : ''}`;
    // 409: a write raced another; 410: a list's continue token expired; 403 for a namespace being
    // deleted (left from an earlier attempt): it is gone, or recreated, on a later try.
    const terminating = error.code === 403 && error.detail.includes('because it is being terminated');
    const retryable = error.code === 409 || error.code === 410 || terminating || isRetryable(error);
    return new ProviderError(`${prefix}: ${head}: ${error.detail}`, retryable, { cause: error });
  }
  if (error instanceof KindNotServedError) {
    return new ProviderError(`${prefix}: ${error.message}`, false, { cause: error });
  }
  const e = error as { name?: string; code?: unknown };
  const timedOut = e.name === 'AbortError' || e.name === 'TimeoutError';
  const retryable =
    timedOut || isRetryable(error) || (typeof e.code === 'string' && unreachableCodes.has(e.code));
  const detail = timedOut ? 'request timed out' : errorMessage(error);
  return new ProviderError(`${prefix}: ${detail}`, retryable, { cause: error });
}

/** Runs one call, turning any failure into a ProviderError about `action` on the cluster. */
export async function onCluster<T>(cluster: ClusterRef, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw kubeError(cluster, action, error);
  }
}
