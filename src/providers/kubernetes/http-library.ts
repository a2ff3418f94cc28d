import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gunzip } from 'node:zlib';
import { type HttpLibrary, Observable, type RequestContext, ResponseContext } from '@kubernetes/client-node';

/**
 * The generated API clients' HTTP transport, on node:http(s) with kept-alive connections.
 *
 * The library's own transport (node-fetch 2) cannot reuse sockets: it reports a false "Premature
 * close" on a chunked answer whose socket already serves the next request, so it had to open a new
 * TLS connection for every request, which was most of the cost of a pass that lists many kinds (a
 * removed-API scan) and most of the garbage of a process driving many promotions. Node's own client
 * has no such check and pools sockets correctly; `agentFor` picks the keep-alive agent to use for
 * the agent the KubeConfig chose (which carries the cluster's TLS settings and credentials).
 */
export function keepAliveHttpLibrary(agentFor: (agent: Agent | undefined) => Agent | undefined): HttpLibrary {
  return {
    send: (request) => new Observable(send(request, agentFor(request.getAgent() as Agent | undefined))),
  };
}

/** Methods that may be sent again when a kept-alive socket turns out to have been closed by the server. */
const repeatable = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

async function send(request: RequestContext, agent: Agent | undefined): Promise<ResponseContext> {
  const method = request.getHttpMethod().toString();
  const body = bodyOf(request.getBody());
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await exchange(request, method, body, agent);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const bytes = await decoded(answer.response, answer.body);
      return new ResponseContext(answer.response.statusCode ?? 0, headers, {
        text: async () => bytes.toString('utf8'),
        binary: async () => bytes,
      });
    } catch (error) {
      // An idle socket the server closed just as it was picked: the request never reached it.
      const stale = (error as { reusedSocket?: boolean; code?: string }).reusedSocket === true;
      if (attempt === 1 && stale && repeatable.has(method)) continue;
      throw error;
    }
  }
}

function bodyOf(body: unknown): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('the Kubernetes HTTP transport sends string bodies only');
}

function exchange(
  request: RequestContext,
  method: string,
  body: string | Buffer | undefined,
  agent: Agent | undefined,
): Promise<{ response: IncomingMessage; body: Buffer }> {
  const url = new URL(request.getUrl());
  const headers: Record<string, string | number> = { 'accept-encoding': 'gzip', ...request.getHeaders() };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const signal = request.getSignal() as AbortSignal | undefined;
  const open = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = open(url, { method, headers, agent, ...(signal && { signal }) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ response, body: Buffer.concat(chunks) }));
      response.on('error', reject);
      response.on('aborted', () => reject(new Error(`${method} ${url.pathname}: the answer was cut off`)));
    });
    outgoing.on('error', (error) => {
      reject(Object.assign(error, { reusedSocket: outgoing.reusedSocket }));
    });
    outgoing.end(body);
  });
}

function decoded(response: IncomingMessage, body: Buffer): Promise<Buffer> {
  if (response.headers['content-encoding'] !== 'gzip') return Promise.resolve(body);
  return new Promise((resolve, reject) =>
    gunzip(body, (error, plain) => (error ? reject(error) : resolve(plain))),
  );
}
