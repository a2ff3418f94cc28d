import { ProviderError } from '../../domain/errors.js';
import { errorMessage, isRetryable } from '../../domain/retryable.js';

/**
 * Wraps an AWS SDK error as a ProviderError that names what was being done to which resource, and
 * keeps the SDK's classification of whether a retry can help.
 */
export function awsError(action: string, resource: string, error: unknown): ProviderError {
  const name = (error as { name?: string }).name;
  const detail =
    name && !errorMessage(error).startsWith(name) ? `${name}: ${errorMessage(error)}` : errorMessage(error);
  return new ProviderError(`${action} ${resource}: ${detail}`, isRetryable(error), { cause: error });
}

/** Runs `call`, turning any SDK error into a ProviderError about `resource`. */
export async function describing<T>(action: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsError(action, resource, error);
  }
}
