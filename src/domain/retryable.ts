import { ProviderError } from '../domain/errors.js';

const throttlingNames = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'RequestThrottled',
]);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * Whether trying the same call again later can succeed. Looks at the shapes that AWS SDK errors,
 * Kubernetes client errors and Node network errors have, without importing either SDK.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return error.retryable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: string;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    cause?: unknown;
  };
  if (e.$retryable) return true;
  if (e.name !== undefined && throttlingNames.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode ?? (typeof e.code === 'number' ? e.code : undefined);
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  if (typeof e.code === 'string' && networkCodes.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== error && isRetryable(e.cause);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
