import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { CheckResult } from '../../../domain/ports.js';
import { errorMessage } from '../../../domain/retryable.js';
import type { ResolvedProbe } from './spec.js';

export interface ProbeDependencies {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Pause between attempts of one probe. */
export const probeRetryDelayMs = 1000;
/** Bodies are read up to this size; a pattern only sees this much. */
const maxBodyBytes = 1024 * 1024;
/** How much of a body evidence quotes. */
const quotedChars = 200;

interface Response {
  readonly status: number;
  readonly body: string;
}

/**
 * Runs one probe: up to 1 + retries attempts, each bounded by the probe's timeout, a short pause
 * between them, stopping at the first attempt that gets the expected status (and body). Pass or fail,
 * with the status of every attempt and, on a mismatch, the start of the last body as evidence.
 *
 * Probes with a Host header do not use fetch: fetch (undici, in Node) treats Host as a forbidden header
 * and silently sends the URL's host instead, so the request would reach the wrong virtual host. They
 * go through node:http/https, which sends the header as given and, for https, uses it as the TLS SNI
 * name and the name the certificate is checked against.
 */
export async function runProbe(probe: ResolvedProbe, deps: ProbeDependencies): Promise<CheckResult> {
  const name = `smoke ${probe.name}`;
  const target = `GET ${probe.url.href}${probe.hostHeader ? ` (Host: ${probe.hostHeader})` : ''}`;
  const attempts = probe.retries + 1;
  const seen: string[] = [];
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await deps.sleep(probeRetryDelayMs);
    let response: Response;
    try {
      response =
        probe.hostHeader === undefined ? await viaFetch(probe, deps.fetch) : await viaNodeHttp(probe);
    } catch (error) {
      const reason = describeFailure(error, probe.timeoutMs);
      seen.push(reason);
      last = `request failed: ${reason}`;
      continue;
    }
    if (response.status !== probe.expectStatus) {
      seen.push(String(response.status));
      last = `expected HTTP ${probe.expectStatus}, got ${response.status}; body: ${quote(response.body)}`;
      continue;
    }
    if (probe.bodyMatch && !probe.bodyMatch.test(response.body)) {
      seen.push(`${response.status} (body mismatch)`);
      last = `HTTP ${response.status}, but the body does not match ${probe.bodyMatch}; body: ${quote(response.body)}`;
      continue;
    }
    const matched = probe.bodyMatch ? `, body matches ${probe.bodyMatch}` : '';
    const history = attempt > 1 ? ` (earlier: ${seen.join(', ')})` : '';
    return {
      name,
      verdict: 'pass',
      evidence: `${target}: HTTP ${response.status}${matched} on attempt ${attempt} of ${attempts}${history}`,
    };
  }
  return {
    name,
    verdict: 'fail',
    evidence: `${target}: ${attempts} attempt(s) failed (${seen.join(', ')}); last: ${last}`,
  };
}

async function viaFetch(probe: ResolvedProbe, fetchImpl: typeof fetch): Promise<Response> {
  // Redirects are not followed, as with the Host-header path: a 301 is what the service answered.
  const response = await fetchImpl(probe.url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(probe.timeoutMs),
  });
  return { status: response.status, body: await readWebBody(response.body) };
}

async function readWebBody(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBodyBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function viaNodeHttp(probe: ResolvedProbe): Promise<Response> {
  const host = probe.hostHeader ?? probe.url.host;
  const https = probe.url.protocol === 'https:';
  const serverName = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const send = https ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(probe.timeoutMs);
  return new Promise((resolve, reject) => {
    const request = send(
      probe.url,
      {
        method: 'GET',
        headers: { Host: host },
        signal,
        // SNI takes names only, never IP addresses.
        ...(https && isIP(serverName) === 0 ? { servername: serverName } : {}),
      },
      (response) => {
        readNodeBody(response, signal).then(
          (body) => resolve({ status: response.statusCode ?? 0, body }),
          reject,
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

function readNodeBody(response: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size >= maxBodyBytes) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    // A timeout while the body streams in ends the response without 'end'.
    response.on('close', () => {
      if (!response.complete)
        reject(signal.aborted ? signal.reason : new Error('connection closed mid-body'));
    });
  });
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; cause?: unknown };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a TLS error) in `cause`.
  if (e.cause !== undefined) return `${errorMessage(error)}: ${describeFailure(e.cause, timeoutMs)}`;
  return errorMessage(error);
}

function quote(body: string): string {
  const trimmed = body.length > quotedChars ? `${body.slice(0, quotedChars)}…` : body;
  return trimmed === '' ? '(empty)' : JSON.stringify(trimmed);
}
