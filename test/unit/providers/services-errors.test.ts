import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import { KindNotServedError, KubeApiError } from '../../../src/providers/kubernetes/services/client.js';
import { kubeError } from '../../../src/providers/kubernetes/services/errors.js';

const green = { name: 'green' };
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('kubeError', () => {
  it.each([
    [
      new KubeApiError(401, 'Unauthorized', 'Unauthorized'),
      false,
      'credentials rejected (401 Unauthorized): Unauthorized',
    ],
    [
      new KubeApiError(403, 'Forbidden', 'deployments.apps is forbidden'),
      false,
      'access denied (403 Forbidden)',
    ],
    [
      new KubeApiError(422, 'Invalid', 'spec.replicas: Invalid value'),
      false,
      'HTTP 422 Invalid: spec.replicas',
    ],
    [new KubeApiError(404, 'NotFound', 'namespaces "shop" not found'), false, 'not found (404)'],
    [new KubeApiError(429, 'TooManyRequests', 'slow down'), true, 'throttled'],
    [new KubeApiError(503, 'ServiceUnavailable', 'etcd leader changed'), true, 'HTTP 503'],
    [new KubeApiError(409, 'Conflict', 'the object has been modified'), true, 'HTTP 409'],
    [
      new KubeApiError(
        403,
        'Forbidden',
        'unable to create new content in namespace shop because it is being terminated',
      ),
      true,
      'being terminated',
    ],
    [withCode('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED'), true, 'connect ECONNREFUSED'],
    [withCode('getaddrinfo ENOTFOUND abc.eks.amazonaws.com', 'ENOTFOUND'), true, 'ENOTFOUND'],
    [new DOMException('The operation was aborted due to timeout', 'TimeoutError'), true, 'request timed out'],
    [new KindNotServedError('the API server does not serve example.io/v1 Widget'), false, 'does not serve'],
    [
      withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      false,
      'certificate',
    ],
  ])('classifies %s', (error, retryable, text) => {
    const wrapped = kubeError(green, 'apply Deployment shop/web', error);
    expect(wrapped).toBeInstanceOf(ProviderError);
    expect(wrapped.retryable).toBe(retryable);
    expect(wrapped.message).toMatch(/^cluster green: cannot apply Deployment shop\/web: /);
    expect(wrapped.message).toContain(text);
    expect(wrapped.cause).toBe(error);
  });

  it('passes a ProviderError through unchanged', () => {
    const original = new ProviderError('already described', false);
    expect(kubeError(green, 'anything', original)).toBe(original);
  });
});
