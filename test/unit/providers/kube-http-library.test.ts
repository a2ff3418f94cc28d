import { Agent } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAliveHttpLibrary } from '../../../src/providers/kubernetes/http-library.js';

/**
 * A raw HTTP/1.1 server, so the tests decide exactly what happens on each connection: answers every
 * request with its body, except the requests `dropAt` names (by their index on their connection),
 * where it closes the socket without answering, as a server closing an idle kept-alive socket does.
 */
function rawServer(options: { dropAt?: number; gzip?: boolean } = {}) {
  const seen: { connection: number; request: string }[] = [];
  let connections = 0;
  const server = createServer((socket: Socket) => {
    const connection = ++connections;
    let onConnection = 0;
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const requestBody = pending.slice(end + 4, end + 4 + length);
        pending = pending.slice(end + 4 + length);
        const index = onConnection++;
        const line = head.split('\r\n')[0] ?? '';
        seen.push({ connection, request: `${line} ${requestBody}`.trim() });
        if (index === options.dropAt) {
          socket.destroy();
          return;
        }
        const text = JSON.stringify({ line, body: requestBody });
        const body = options.gzip ? gzipSync(text) : Buffer.from(text);
        const encoding = options.gzip ? 'content-encoding: gzip\r\n' : '';
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${encoding}content-length: ${body.length}\r\n\r\n`,
        );
        socket.write(body);
      }
    });
  });
  return { server, seen, connections: () => connections };
}

let running: Server | undefined;
afterEach(() => {
  running?.close();
  running = undefined;
});

async function listen(server: Server): Promise<string> {
  running = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

function requestTo(url: string, method: HttpMethod, body?: string): RequestContext {
  const request = new RequestContext(url, method);
  if (body !== undefined) request.setBody(body);
  return request;
}

describe('the Kubernetes HTTP transport', () => {
  it('sends requests one after another over one kept-alive connection and returns their answers', async () => {
    const raw = rawServer();
    const base = await listen(raw.server);
    const agent = new Agent({ keepAlive: true });
    const http = keepAliveHttpLibrary(() => agent);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await http
        .send(requestTo(`${base}/api/v1/namespaces/n${i}`, HttpMethod.GET))
        .toPromise();
      expect(response.httpStatusCode).toBe(200);
      answers.push(JSON.parse(await response.body.text()).line);
    }
    expect(answers).toEqual([0, 1, 2, 3, 4].map((i) => `GET /api/v1/namespaces/n${i} HTTP/1.1`));
    expect(raw.connections()).toBe(1);
    agent.destroy();
  });

  it('sends a body with its length and decodes a gzipped answer', async () => {
    const raw = rawServer({ gzip: true });
    const base = await listen(raw.server);
    const agent = new Agent({ keepAlive: true });
    const response = await keepAliveHttpLibrary(() => agent)
      .send(requestTo(`${base}/api/v1/namespaces`, HttpMethod.POST, '{"metadata":{"name":"é"}}'))
      .toPromise();
    expect(JSON.parse(await response.body.text())).toEqual({
      line: 'POST /api/v1/namespaces HTTP/1.1',
      // The raw server reads bytes as latin1: the UTF-8 "é" arrives as two bytes, all of them.
      body: Buffer.from('{"metadata":{"name":"é"}}').toString('latin1'),
    });
    agent.destroy();
  });

  it('sends a read again on a new connection when the kept-alive one was closed by the server', async () => {
    const raw = rawServer({ dropAt: 1 });
    const base = await listen(raw.server);
    const agent = new Agent({ keepAlive: true });
    const http = keepAliveHttpLibrary(() => agent);
    await http.send(requestTo(`${base}/a`, HttpMethod.GET)).toPromise();
    const second = await http.send(requestTo(`${base}/b`, HttpMethod.GET)).toPromise();
    expect(JSON.parse(await second.body.text()).line).toBe('GET /b HTTP/1.1');
    expect(raw.seen).toEqual([
      { connection: 1, request: 'GET /a HTTP/1.1' },
      { connection: 1, request: 'GET /b HTTP/1.1' },
      { connection: 2, request: 'GET /b HTTP/1.1' },
    ]);
    agent.destroy();
  });

  it('does not send a create twice: the failure is the caller’s to judge', async () => {
    const raw = rawServer({ dropAt: 1 });
    const base = await listen(raw.server);
    const agent = new Agent({ keepAlive: true });
    const http = keepAliveHttpLibrary(() => agent);
    await http.send(requestTo(`${base}/a`, HttpMethod.GET)).toPromise();
    await expect(http.send(requestTo(`${base}/b`, HttpMethod.POST, '{}')).toPromise()).rejects.toThrow(
      /socket hang up/,
    );
    expect(raw.seen.map((s) => s.request)).toEqual(['GET /a HTTP/1.1', 'POST /b HTTP/1.1 {}']);
    agent.destroy();
  });
});
