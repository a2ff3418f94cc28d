/**
 * The API client the commands use: global fetch, every response parsed with the API's own zod schemas
 * (so a CLI and a controller that disagree fail loudly, naming the field), every error body turned
 * into an ApiError the commands and the exit-code mapping branch on.
 *
 * zod and the schemas load on first use, while the first request is on its way: loading them takes
 * longer than the controller takes to answer, and a command such as `switchyard rollback` should cost
 * little more than the request itself.
 */
import type { z } from 'zod';
import type {
  createPromotionSchema,
  eventSchema,
  planSchema,
  platformSchema,
  promotionDetailSchema,
  promotionSchema,
  rollbackRequestSchema,
} from '../api/schemas.js';
import { fleetClient } from './fleet-client.js';
import { parseEventStream } from './sse.js';

type ApiSchemas = typeof import('../api/schemas.js') & typeof import('../api/fleet-schemas.js');
/** The API's schemas (promotions and fleets), and the one list shape the API writes inline. */
export type Schemas = ApiSchemas & { readonly platformListSchema: z.ZodType<{ items: Platform[] }> };
let loadedSchemas: Promise<Schemas> | undefined;
const schemas = (): Promise<Schemas> => {
  loadedSchemas ??= Promise.all([
    import('../api/schemas.js'),
    import('../api/fleet-schemas.js'),
    import('zod'),
  ]).then(([api, fleet, { z: zod }]) => ({
    ...api,
    ...fleet,
    platformListSchema: zod.object({ items: zod.array(api.platformSchema) }),
  }));
  return loadedSchemas;
};

/** One request whose 2xx body is parsed with the schema `schemaOf` picks (see createClient). */
export type Call = <S extends z.ZodType>(
  method: string,
  path: string,
  schemaOf: (all: Schemas) => S,
  body?: unknown,
) => Promise<z.output<S>>;

/** zod's readable rendering of a parse error; zod itself loads with the schemas. */
async function describeIssues(error: z.ZodError): Promise<string> {
  const { z: zod } = await import('zod');
  return zod.prettifyError(error);
}

export type Promotion = z.output<typeof promotionSchema>;
export type PromotionDetail = z.output<typeof promotionDetailSchema>;
export type PromotionEvent = z.output<typeof eventSchema>;
export type Platform = z.output<typeof platformSchema>;
export type Plan = z.output<typeof planSchema>;
export type Phase = Promotion['phase'];

/** The API answered with an error status; fields come from its error body {error, message, issues}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * The API could not be reached, or the connection broke. `noAnswer`: no response came at all (refused,
 * unknown host, timed out), so the URL may be wrong or no controller runs there.
 */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly noAnswer = false,
  ) {
    super(message);
  }
}

/** The API answered 2xx with a body that does not match the schema: a CLI/controller version skew. */
export class ResponseError extends Error {}

export interface ClientOptions {
  readonly server: string;
  readonly token?: string | undefined;
  readonly fetch: typeof fetch;
  /** For ordinary requests; the event stream has none (a promotion can take hours). */
  readonly timeoutMs?: number;
}

export function createClient(options: ClientOptions) {
  const base = options.server.replace(/\/+$/, '');
  const send = async (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal | null } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    // No content-type without a body: fastify answers 400 to an empty JSON body.
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await options.fetch(`${base}${path}`, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        // The event stream runs as long as the promotion: only its caller may end it.
        ...(init.signal === undefined
          ? { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) }
          : init.signal === null
            ? {}
            : { signal: init.signal }),
      });
      if (!response.ok) throw await apiError(response);
      return response;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof Error && error.name === 'TimeoutError') {
        // The request went out: a change may have been made even though no answer came.
        const maybe =
          method === 'GET' ? '' : '; it may still have taken effect (check with switchyard status)';
        throw new NetworkError(
          `no answer from ${base} within ${(options.timeoutMs ?? 30_000) / 1000}s${maybe}`,
          true,
        );
      }
      throw new NetworkError(`cannot reach ${base}: ${networkReason(error)}`, true);
    }
  };

  const call: Call = async (method, path, schemaOf, body) => {
    const answer = send(method, path, body === undefined ? {} : { body });
    // Sent first, then the schemas load while the controller works on it.
    const loading = schemas();
    const response = await answer;
    const parsed = schemaOf(await loading).safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      const issues = await describeIssues(parsed.error);
      throw new ResponseError(`unexpected response from ${method} ${path}: ${issues.replace(/\n\s*/g, ' ')}`);
    }
    return parsed.data;
  };

  const id = encodeURIComponent;
  return {
    listPromotions: (query: { platform?: string; phase?: Phase; limit?: number } = {}) => {
      const params = new URLSearchParams(
        Object.entries(query).flatMap(([k, v]): [string, string][] =>
          v === undefined ? [] : [[k, String(v)]],
        ),
      );
      return call('GET', `/v1/promotions?${params}`, (s) => s.promotionListSchema);
    },
    promotion: (promotionId: string) =>
      call('GET', `/v1/promotions/${id(promotionId)}`, (s) => s.promotionDetailSchema),
    start: (body: z.input<typeof createPromotionSchema>) =>
      call('POST', '/v1/promotions', (s) => s.promotionSchema, body),
    setTraffic: (promotionId: string, green: number) =>
      call('PUT', `/v1/promotions/${id(promotionId)}/traffic`, (s) => s.promotionSchema, { green }),
    pause: (promotionId: string, reason?: string) =>
      call(
        'POST',
        `/v1/promotions/${id(promotionId)}/pause`,
        (s) => s.promotionSchema,
        reason ? { reason } : {},
      ),
    resume: (promotionId: string) =>
      call('POST', `/v1/promotions/${id(promotionId)}/resume`, (s) => s.promotionSchema),
    approve: (promotionId: string, gate?: string) =>
      call(
        'POST',
        `/v1/promotions/${id(promotionId)}/approve`,
        (s) => s.promotionSchema,
        gate ? { gate } : {},
      ),
    abandon: (promotionId: string, reason: string) =>
      call('POST', `/v1/promotions/${id(promotionId)}/abandon`, (s) => s.promotionSchema, { reason }),
    teardown: (promotionId: string) =>
      call('POST', `/v1/promotions/${id(promotionId)}/teardown`, (s) => s.promotionSchema),
    rollback: (platform: string, body: z.input<typeof rollbackRequestSchema>) =>
      call('POST', `/v1/platforms/${id(platform)}/rollback`, (s) => s.promotionSchema, body),
    platforms: () => call('GET', '/v1/platforms', (s) => s.platformListSchema),
    platform: (name: string) => call('GET', `/v1/platforms/${id(name)}`, (s) => s.platformDetailSchema),
    plan: (name: string, targetVersion: string) =>
      call('POST', `/v1/platforms/${id(name)}/plan`, (s) => s.planSchema, { targetVersion }),
    fleet: fleetClient(call),

    /** A promotion's events after `afterSeq`, live; ends when the server ends the stream. */
    async *events(
      promotionId: string,
      afterSeq: number,
      signal?: AbortSignal,
    ): AsyncGenerator<PromotionEvent> {
      const response = await send('GET', `/v1/promotions/${id(promotionId)}/events`, {
        headers: { accept: 'text/event-stream', 'last-event-id': String(afterSeq) },
        signal: signal ?? null,
      });
      if (response.body === null) return;
      const { eventSchema } = await schemas();
      try {
        for await (const message of parseEventStream(response.body)) {
          if (message.data === '') continue;
          const parsed = eventSchema.safeParse(JSON.parse(message.data));
          if (!parsed.success)
            throw new ResponseError(`unexpected event: ${await describeIssues(parsed.error)}`);
          yield parsed.data;
        }
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        throw new NetworkError(`event stream from ${base} broke: ${networkReason(error)}`);
      }
    },
  };
}

export type ApiClient = ReturnType<typeof createClient>;

async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const { errorSchema } = await schemas();
  const body = errorSchema.safeParse(jsonOrUndefined(text));
  if (body.success)
    return new ApiError(response.status, body.data.error, body.data.message, body.data.issues);
  // Not our error body (a proxy's page, say): show the start of what came back.
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  const status = `HTTP ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, 'http_error', snippet ? `${status}: ${snippet}` : status);
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch hides the socket error in `cause`; that is the part worth showing (ECONNREFUSED, ENOTFOUND). */
function networkReason(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
