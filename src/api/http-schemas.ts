/**
 * The HTTP envelope around the resources of schemas.ts: path parameters and their limits, the error
 * statuses a route documents, and the framing of the event stream.
 */
import { z } from 'zod';
import { errorSchema, eventSchema } from './schemas.js';

/** The longest promotion id and platform name a path may carry; longer ones are a 400 on that field. */
export const idMaxLength = 100;
/** A platform name is a DNS label (see the platform file schema). */
export const platformNameMaxLength = 63;

export const idParamsSchema = z.strictObject({ id: z.string().min(1).max(idMaxLength) });
export const platformParamsSchema = z.strictObject({ name: z.string().min(1).max(platformNameMaxLength) });

/** One server-sent event of GET /v1/promotions/{id}/events (OpenAPI before 3.2: the schema of each event). */
export const serverSentEventSchema = z
  .object({
    id: z.string().describe("the event's seq; send the last one seen as Last-Event-ID to resume after it"),
    event: z.string().describe("the event's type, e.g. stage.succeeded"),
    data: z
      .string()
      .meta({
        contentMediaType: 'application/json',
        contentSchema: { $ref: `#/components/schemas/${eventSchema.meta()?.id}` },
      })
      .describe('the PromotionEvent as JSON'),
  })
  .meta({ id: 'ServerSentEvent' });
export const eventStreamHeadersSchema = z.looseObject({
  'last-event-id': z
    .string()
    .optional()
    .describe('resume after this event seq (what the stream last sent as id)'),
});

/**
 * The error statuses a route documents, each answered with the Error body. What each means: 400 a
 * field is invalid (issues name it), 401 no or unknown token, 403 too low a role or a refused action,
 * 404 no such object, 409 a conflict or a refused transition, 413 body over the limit, 415 a body that
 * is not JSON, 429 past the caller's mutation budget, 502/503 AWS or a cluster failed (503: retry may help).
 */
export const errorStatuses = [400, 401, 403, 404, 409, 413, 415, 429, 502, 503] as const;
export type ErrorStatus = (typeof errorStatuses)[number];

export function errorResponses<const S extends readonly ErrorStatus[]>(
  ...statuses: S
): { [K in S[number]]: typeof errorSchema } {
  return Object.fromEntries(statuses.map((status) => [status, errorSchema])) as {
    [K in S[number]]: typeof errorSchema;
  };
}
