import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  ActivePromotionExistsError,
  ConflictError,
  InvalidInputError,
  InvalidTransitionError,
  NotAllowedError,
  NotFoundError,
  PlatformStateError,
  ProviderError,
} from '../domain/errors.js';
import { RateLimitedError } from './rate-limit.js';

/** Thrown by the auth hook; carries the status it maps to. */
export class AccessError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error: string;
  message: string;
  issues?: { path: string; message: string }[];
}

/** Maps every error to one status and a body that says what went wrong, never a stack trace. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  const e = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues =
      e.validation?.map((v) => ({
        path: [e.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      })) ?? [];
    return {
      status: 400,
      body: {
        error: 'invalid_input',
        message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        issues,
      },
    };
  }
  if (error instanceof InvalidInputError) {
    return {
      status: 400,
      body: {
        error: 'invalid_input',
        message: error.message,
        issues: [{ path: error.field, message: error.problem }],
      },
    };
  }
  if (error instanceof AccessError)
    return {
      status: error.status,
      body: { error: error.status === 401 ? 'unauthorized' : 'forbidden', message: error.message },
    };
  if (error instanceof RateLimitedError)
    return { status: 429, body: { error: 'rate_limited', message: error.message } };
  if (error instanceof NotAllowedError)
    return { status: 403, body: { error: 'forbidden', message: error.message } };
  if (error instanceof NotFoundError)
    return { status: 404, body: { error: 'not_found', message: error.message } };
  if (error instanceof ActivePromotionExistsError || error instanceof ConflictError) {
    return { status: 409, body: { error: 'conflict', message: error.message } };
  }
  if (error instanceof InvalidTransitionError || error instanceof PlatformStateError)
    return { status: 409, body: { error: 'refused', message: error.message } };
  // AWS or a cluster did not answer as needed: say which and why (messages name the resource, no secrets).
  if (error instanceof ProviderError) {
    return { status: error.retryable ? 503 : 502, body: { error: 'provider', message: error.message } };
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, body: { error: 'too_large', message: e.message } };
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { error: 'bad_request', message: e.message },
    };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error; see the controller log' } };
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorResponse(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
  void reply.code(status).send(body);
}

/** A path no route has: the same Error body as every other error. */
export function notFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
}
