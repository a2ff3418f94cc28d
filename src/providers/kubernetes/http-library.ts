import {
  type Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
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
  const headers: Record<string, string | number> = { 'accept-encoding': 'gzip', ...request.getHeaders() };
  const signal = request.getSignal() as AbortSignal | undefined;
  const answer = await exchange(
    new URL(request.getUrl()),
    { method, headers, agent, ...(signal && { signal }) },
    body,
    repeatable.has(method),
  );
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return new ResponseContext(answer.status, flat, {
    text: async () => answer.body.toString('utf8'),
    binary: async () => answer.body,
  });
}

function bodyOf(body: unknown): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('the Kubernetes HTTP transport sends string bodies only');
}

/** A whole answer: status, headers and the body, decoded when it came gzipped. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * One request to an API server and its whole answer, over node:http or node:https by the URL. A
 * request that went out on a kept-alive socket the server had already closed never reached it; when
 * `repeatable` (sending it twice means the same as once) it goes once more, on a new connection.
 */
export async function exchange(
  url: URL,
  options: RequestOptions,
  body: string | Buffer | undefined,
  repeatable: boolean,
): Promise<Answer> {
  const headers = { ...(options.headers as Record<string, string | number> | undefined) };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const sendOnce = () => sendWhole(url, { ...options, headers }, body);
  try {
    return await sendOnce();
  } catch (error) {
    if (repeatable && (error as { reusedSocket?: boolean }).reusedSocket === true) return sendOnce();
    throw error;
  }
}

function sendWhole(url: URL, options: RequestOptions, body: string | Buffer | undefined): Promise<Answer> {
  const open = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const what = `${options.method ?? 'GET'} ${url.pathname}`;
  return new Promise((resolve, reject) => {
    const outgoing = open(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const answer = { status: response.statusCode ?? 0, headers: response.headers };
        decoded(response, Buffer.concat(chunks)).then((plain) => resolve({ ...answer, body: plain }), reject);
      });
      response.on('error', reject);
      response.on('close', () => {
        if (!response.complete) reject(new Error(`${what}: the connection closed before the answer ended`));
      });
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
