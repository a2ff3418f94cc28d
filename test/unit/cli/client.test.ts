import { describe, expect, it } from 'vitest';
import { ApiError, createClient, ResponseError } from '../../../src/cli/client.js';
import { cli } from './helpers.js';

/** A fetch that answers every request with one canned response, and records what was asked. */
function canned(status: number, body: string, type = 'application/json') {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    requests.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': type } });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const env = { SWITCHYARD_URL: 'http://switchyard.test/', SWITCHYARD_TOKEN: 't0k' };

describe('API client', () => {
  it('turns an error body into an ApiError with its kind, message and issues', async () => {
    const body = {
      error: 'invalid_input',
      message: 'body.green: too big',
      issues: [{ path: 'body.green', message: 'too big' }],
    };
    const { fetch, requests } = canned(400, JSON.stringify(body));
    const client = createClient({ server: 'http://switchyard.test/', token: 't0k', fetch });
    const error = await client.setTraffic('p/1', 101).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      error: 'invalid_input',
      message: 'body.green: too big',
      issues: body.issues,
    });
    expect(requests[0]?.url).toBe('http://switchyard.test/v1/promotions/p%2F1/traffic');
    expect(requests[0]?.init?.headers).toMatchObject({
      authorization: 'Bearer t0k',
      'content-type': 'application/json',
    });
  });

  it('rejects a 2xx body that does not match the schema, naming the field', async () => {
    const { fetch } = canned(200, JSON.stringify({ items: [{ name: 'shop' }] }));
    const error = await createClient({ server: 'http://x', fetch })
      .platforms()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as Error).message).toMatch(/^unexpected response from GET \/v1\/platforms: .*items/);
  });

  it('a non-JSON error page (a proxy) or a version skew fails with exit 1 and says what came back', async () => {
    const proxy = await cli(['platforms'], env, {
      fetch: canned(502, '<html>bad gateway</html>', 'text/html').fetch,
    });
    expect(proxy).toMatchObject({
      code: 1,
      stderr: 'switchyard: platforms failed: server answered 502: HTTP 502: <html>bad gateway</html>\n',
    });
    const skew = await cli(['platforms'], env, { fetch: canned(200, '{"items":[{}]}').fetch });
    expect(skew.code).toBe(1);
    expect(skew.stderr).toMatch(
      /^switchyard: platforms failed: unexpected response from GET \/v1\/platforms/,
    );
  });
});

describe('API client timeouts', () => {
  it('says a change may have been made when a mutation gets no answer in time', async () => {
    const hang = ((_url: string, init?: RequestInit) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )) as typeof globalThis.fetch;
    const client = createClient({ server: 'http://x', fetch: hang, timeoutMs: 20 });
    await expect(client.resume('p-1')).rejects.toThrow(
      'no answer from http://x within 0.02s; it may still have taken effect (check with switchyard status)',
    );
    await expect(client.platforms()).rejects.toThrow(/^no answer from http:\/\/x within 0.02s$/);
  });
});
