import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { retryingTooManyRequests } from '../../../../src/store/kubernetes/too-many-requests.js';

const tooMany = (retryAfter?: string) =>
  new ApiException(
    429,
    'Too Many Requests',
    '',
    retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  );

/** An API whose `read` fails with the given errors, in turn, and then answers. */
function flaky(errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    label: 'not a method',
    async read(name: string): Promise<string> {
      calls++;
      const error = errors.shift();
      if (error) throw error;
      return `read ${name}`;
    },
  };
}

describe('retrying a 429 Too Many Requests', () => {
  it('calls again after the Retry-After the apiserver asked for, then answers', async () => {
    const slept: number[] = [];
    const api = flaky([tooMany('1'), tooMany()]);
    const retrying = retryingTooManyRequests(api, { sleep: async (ms) => void slept.push(ms) });
    expect(await retrying.read('x')).toBe('read x');
    expect(api.calls).toBe(3);
    expect(slept).toEqual([1_000, 1_000]);
    expect(retrying.label).toBe('not a method');
  });

  it('gives up after its attempts, and passes other failures through at once', async () => {
    const api = flaky([tooMany('30'), tooMany('30'), tooMany('30')]);
    const slept: number[] = [];
    const retrying = retryingTooManyRequests(api, { attempts: 2, sleep: async (ms) => void slept.push(ms) });
    await expect(retrying.read('x')).rejects.toMatchObject({ code: 429 });
    expect(api.calls).toBe(2);
    expect(slept).toEqual([5_000]);

    const conflicted = flaky([new ApiException(409, 'Conflict', '', {})]);
    await expect(retryingTooManyRequests(conflicted).read('x')).rejects.toMatchObject({ code: 409 });
    expect(conflicted.calls).toBe(1);
  });
});
