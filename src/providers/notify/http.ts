/** HTTP delivery shared by the notifiers: one JSON POST, failures classified and scrubbed of secrets. */
import type { Notification } from '../../domain/ports.js';

export type Fetch = typeof globalThis.fetch;

/** A failed delivery. The message never holds the webhook URL or a secret header value. */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';

  constructor(
    message: string,
    /** 429, 5xx and network errors (refused, reset, timed out) may succeed later; other 4xx never do. */
    readonly retryable: boolean,
    /** What a 429 or 503 asked for in Retry-After. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface PostJsonRequest {
  readonly url: string;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: Fetch | undefined;
  /** Default 10 s. */
  readonly timeoutMs?: number | undefined;
  /** Further secrets (header values) to keep out of error messages. */
  readonly secrets?: readonly string[];
}

export async function postJson(request: PostJsonRequest): Promise<void> {
  const scrub = scrubber([request.url, ...(request.secrets ?? [])]);
  let response: Response;
  try {
    response = await (request.fetch ?? fetch)(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'switchyard', ...request.headers },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new NotifyError(scrub(networkFailure(error)), true);
  }
  // Read the body either way: it frees the connection, and a receiver's error text helps.
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const detail = text.trim().slice(0, 200);
  throw new NotifyError(
    scrub(`HTTP ${response.status}${detail === '' ? '' : `: ${detail}`}`),
    response.status === 429 || response.status >= 500,
    retryAfterMs(response.headers.get('retry-after')),
  );
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, a reset) is in its cause. */
function networkFailure(error: unknown): string {
  if (!(error instanceof Error)) return `request failed: ${String(error)}`;
  if (error.name === 'TimeoutError') return 'request timed out';
  const cause = error.cause;
  const reason = cause instanceof Error ? cause.message : error.message;
  return `request failed: ${reason}`;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Replaces every secret in a text with "[redacted]": the URL as given and as normalised, and its path
 * and query (where Slack keeps the token), so that no error message or log line carries them.
 */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const parts = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    parts.add(secret);
    try {
      const url = new URL(secret);
      parts.add(url.href);
      const path = url.pathname + url.search;
      if (path.length >= 6) parts.add(path);
    } catch {
      // Not a URL: the whole value is the secret.
    }
  }
  const longestFirst = [...parts].sort((a, b) => b.length - a.length);
  return (text) => longestFirst.reduce((out, part) => out.split(part).join('[redacted]'), text);
}

/** The promotion's link from a template like "https://switchyard.example.com/v1/promotions/{id}". */
export function promotionLink(template: string | undefined, promotionId: string): string | undefined {
  return fillLink(template, promotionId);
}

function fillLink(template: string | undefined, id: string): string | undefined {
  return template?.replaceAll('{id}', encodeURIComponent(id));
}

/** A target's link templates: "{id}" is the promotion's id, or the fleet run's. */
export interface LinkTemplates {
  readonly promotionUrl?: string | undefined;
  readonly fleetRunUrl?: string | undefined;
}

/**
 * The link a notification carries: its promotion's, or its fleet run's when a fleet run template is
 * configured (never a promotion template filled with a run id: that would lead nowhere).
 */
export function notificationLink(templates: LinkTemplates, notification: Notification): string | undefined {
  return notification.kind === 'fleet'
    ? fillLink(templates.fleetRunUrl, notification.runId)
    : promotionLink(templates.promotionUrl, notification.promotionId);
}
