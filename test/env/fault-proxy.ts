import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Which share (0..1) of calls get which fault. Shares of throttling and server errors add up to at most 1. */
export interface FaultPlan {
  /** Answered with the service's throttling error (HTTP 400, Throttling/ThrottlingException). */
  readonly throttleShare: number;
  /** Answered with HTTP 503 ServiceUnavailable. */
  readonly serverErrorShare: number;
  /** Forwarded after an added delay of latencyMs. */
  readonly latencyShare: number;
  readonly latencyMs: number;
  /** Signing names (eks, route53, elasticloadbalancing, …) the faults apply to; all when absent. */
  readonly services?: readonly string[];
}

export interface FaultCounts {
  forwarded: number;
  throttled: number;
  serverErrors: number;
  delayed: number;
}

/** One call that reached the proxy, in arrival order: for benchmarks that count what a flow costs. */
export interface ProxiedCall {
  /** Signing name: eks, route53, elasticloadbalancing, … */
  readonly service: string;
  /** The action (query and JSON protocols), or METHOD and path for REST ones (Route 53, EKS). */
  readonly operation: string;
  readonly at: number;
  /** The request body of Route 53 writes (POSTs), to see which weights a change batch set. */
  readonly body?: string;
}

export interface FaultProxy {
  /** Give this to the SDK clients as their endpoint instead of the upstream one. */
  readonly url: string;
  readonly counts: Readonly<FaultCounts>;
  /** Every call received, faulted or not, oldest first. */
  readonly calls: readonly ProxiedCall[];
  setPlan(plan: Partial<FaultPlan>): void;
  close(): Promise<void>;
}

export const noFaults: FaultPlan = { throttleShare: 0, serverErrorShare: 0, latencyShare: 0, latencyMs: 0 };

/**
 * An HTTP proxy in front of an AWS-compatible server (moto) that fails or delays a share of calls the
 * way AWS does, so reliability tests can show that retries and backoff carry a promotion through.
 * `random` is injectable so tests can choose exactly which calls fail.
 */
export async function startFaultProxy(
  upstream: string,
  plan: Partial<FaultPlan> = {},
  random: () => number = Math.random,
): Promise<FaultProxy> {
  let current = validPlan({ ...noFaults, ...plan });
  const counts: FaultCounts = { forwarded: 0, throttled: 0, serverErrors: 0, delayed: 0 };
  const calls: ProxiedCall[] = [];
  const target = new URL(upstream);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const service = serviceOf(req);
    calls.push({
      service,
      operation: operationOf(req, body),
      at: Date.now(),
      ...(service === 'route53' && req.method === 'POST' ? { body: body.toString('utf8') } : {}),
    });
    if (current.services !== undefined && !current.services.includes(serviceOf(req))) {
      counts.forwarded++;
      return forward(req, body, res, target);
    }
    const draw = random();
    if (draw < current.throttleShare) {
      counts.throttled++;
      return sendAwsError(res, serviceOf(req), 400, 'Throttling', 'Rate exceeded');
    }
    if (draw < current.throttleShare + current.serverErrorShare) {
      counts.serverErrors++;
      return sendAwsError(res, serviceOf(req), 503, 'ServiceUnavailable', 'Service unavailable');
    }
    if (current.latencyShare > 0 && random() < current.latencyShare) {
      counts.delayed++;
      await sleep(current.latencyMs);
    }
    counts.forwarded++;
    await forward(req, body, res, target);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    calls,
    setPlan(next) {
      current = validPlan({ ...current, ...next });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function validPlan(plan: FaultPlan): FaultPlan {
  const shares = [plan.throttleShare, plan.serverErrorShare, plan.latencyShare];
  if (shares.some((s) => !(s >= 0 && s <= 1)) || plan.throttleShare + plan.serverErrorShare > 1) {
    throw new Error(
      `fault plan shares must lie in 0..1 and errors add up to at most 1: ${JSON.stringify(plan)}`,
    );
  }
  if (!(plan.latencyMs >= 0)) throw new Error(`fault plan latencyMs must be >= 0: ${plan.latencyMs}`);
  return plan;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, target: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // The Host header is part of the SigV4 signature; keep it as the client signed it.
        headers: req.headers,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', resolve);
        upstreamRes.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** The operation a request asks for, as far as the wire says it without knowing each service's model. */
export function operationOf(req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const url = new URL(req.url ?? '/', 'http://proxy');
  const action =
    url.searchParams.get('Action') ??
    (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body.toString()).get('Action')
      : null);
  return action ?? `${req.method} ${url.pathname}`;
}

/** The service name from the SigV4 credential scope (…/region/SERVICE/aws4_request). */
export function serviceOf(req: Pick<IncomingMessage, 'headers'>): string {
  const match = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '');
  return match?.[1] ?? 'unknown';
}

/**
 * Services (by signing name) whose protocol reports errors as JSON with an x-amzn-ErrorType header
 * (restJson1). The others Switchyard calls (route53, elasticloadbalancing, ec2, sts) use XML.
 */
const jsonProtocolServices = new Set(['eks']);

/** Writes an error in the wire format of the calling service's protocol, so the SDK parses its code. */
export function sendAwsError(
  res: ServerResponse,
  service: string,
  status: number,
  code: string,
  message: string,
) {
  const requestId = `fault-${Date.now().toString(36)}`;
  if (jsonProtocolServices.has(service)) {
    const jsonCode = code === 'Throttling' ? 'ThrottlingException' : code;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': jsonCode,
      'x-amzn-requestid': requestId,
    });
    res.end(JSON.stringify({ message }));
    return;
  }
  const error = `<Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${message}</Message></Error>`;
  // EC2's query protocol wraps errors differently from the other XML protocols.
  const xml =
    service === 'ec2'
      ? `<Response><Errors>${error}</Errors><RequestID>${requestId}</RequestID></Response>`
      : `<ErrorResponse>${error}<RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(xml);
}
