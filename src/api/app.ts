import { maxHeaderSize } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Controller } from '../engine/controller.js';
import type { FleetSurface } from '../fleet/surface.js';
import type { Metrics } from '../metrics.js';
import type { PromotionStore } from '../store/store.js';
import { type Authenticator, allows, type Principal, type Role } from './auth.js';
import type { PlatformCatalog } from './catalog.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { AccessError, handleError, notFound } from './errors.js';
import { idMaxLength } from './http-schemas.js';
import { mutationBudget } from './rate-limit.js';
import { fleetRoutes } from './routes/fleets.js';
import { platformRoutes } from './routes/platforms.js';
import { promotionRoutes } from './routes/promotions.js';
import { sessionRoutes } from './routes/session.js';
import { systemRoutes } from './routes/system.js';
import { responseSerializer } from './serializer.js';

export interface ApiDependencies {
  readonly controller: Controller;
  readonly store: PromotionStore;
  readonly platforms: PlatformCatalog;
  readonly auth: Authenticator;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** True once the controller can serve (store open, reconciler started). */
  readonly ready: () => Promise<boolean>;
  /** Mutating requests per principal per minute. */
  readonly mutationsPerMinute?: number;
  /** Fleet runs (many platforms in stages); their routes exist only when given. */
  readonly fleets?: FleetSurface;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; absent: public (health, docs). */
    role?: Role;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const bodyLimitBytes = 64 * 1024;
const auditUrlLength = 300;

const truncate = (text: string, length: number) =>
  text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`;

/**
 * A request that may change something: any method but GET and HEAD on a route that needs a role. These
 * are audited and share one budget per caller (README: "60 per minute per caller").
 */
export function isMutation(request: FastifyRequest): boolean {
  return (
    request.method !== 'GET' && request.method !== 'HEAD' && request.routeOptions.config.role !== undefined
  );
}

/**
 * Reads (by people, dashboards, probes and scrapers alike) are logged at debug: they are the bulk of the
 * traffic and change nothing. Requests that may change something stay at info, beside their audit entry.
 */
function readOnly(request: FastifyRequest): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

/** Fastify's own request lines ("incoming request", "request completed"), at debug for reads. */
class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (!readOnly(request)) super.incomingRequest(request, reply);
    else if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error || !readOnly(request)) super.requestCompleted(error, request, reply);
    else if (!this.isLogDisabled(request)) {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}

/**
 * @fastify/swagger marks every request body required, but a body schema that accepts null (pause,
 * approve) may also be left out, and the route answers 200 without one: the document says so.
 */
function optionalBodies<D extends { paths?: object }>(document: D): D {
  type Operation = { requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> } };
  for (const operations of Object.values(document.paths ?? {}) as Record<string, Operation>[]) {
    for (const { requestBody } of Object.values(operations)) {
      const schema = requestBody?.content?.['application/json']?.schema as { anyOf?: { type?: unknown }[] };
      if (requestBody && schema?.anyOf?.some((branch) => branch.type === 'null'))
        requestBody.required = false;
    }
  }
  return document;
}

/**
 * The HTTP API, in a fixed order: error handling and validation → auth → mutation budget → OpenAPI →
 * routes. Handlers are thin: parse (zod), call one controller or store method, map the result.
 */
export async function buildApi(deps: ApiDependencies) {
  const app = Fastify({
    loggerInstance: deps.log,
    logController: new RequestLog(),
    bodyLimit: bodyLimitBytes,
    // Every path parameter the request line can carry reaches its zod schema, which holds the real
    // limit (idMaxLength, platformNameMaxLength) and answers 400 naming the field, never fastify's 414.
    routerOptions: { maxParamLength: maxHeaderSize },
    // A malformed URL (bad percent-encoding) gets our error body too.
    frameworkErrors: handleError,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializer);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(notFound);

  app.addHook('onRequest', async (request) => {
    const role = request.routeOptions.config.role;
    if (role === undefined) return;
    const principal = deps.auth.authenticate(request.headers.authorization);
    if (principal === undefined) {
      if (!isMutation(request) && deps.auth.publicReads) return;
      throw new AccessError(
        401,
        request.headers.authorization ? 'unknown token' : 'a bearer token is required',
      );
    }
    request.principal = principal;
    if (!allows(principal.role, role))
      throw new AccessError(403, `${principal.name} (${principal.role}) may not do this; it needs ${role}`);
  });

  // One budget per caller for all mutating routes together, spent before the request does anything
  // (a request refused later, for its body or the promotion's state, has spent its share too).
  const budget = mutationBudget({ max: deps.mutationsPerMinute ?? 60, windowMs: 60_000 });
  app.addHook('onRequest', async (request) => {
    if (isMutation(request)) budget.spend(request.principal?.name ?? `address ${request.ip}`);
  });

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
    };
    deps.metrics.httpRequests.inc(labels);
    deps.metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    if (!isMutation(request)) return;
    // Only a promotion's routes carry a promotion id; a fleet run's id stays in the action's URL.
    const id = request.routeOptions.url?.startsWith('/v1/promotions/')
      ? (request.params as { id?: string } | undefined)?.id
      : undefined;
    const status = reply.statusCode;
    await deps.store.appendAudit({
      actor: request.principal?.name ?? 'anonymous',
      // A refused request's URL may be as long as a request line gets: the audit keeps its start.
      action: `${request.method} ${truncate(request.url, auditUrlLength)}`,
      ...(id && id.length <= idMaxLength ? { promotionId: id } : {}),
      status,
      outcome: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Switchyard',
        version: '1',
        description: 'Blue-green EKS upgrades: promotions, traffic, rollback.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => optionalBodies(jsonSchemaTransformObject(document)),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(systemRoutes, { deps });
  await app.register(dashboardRoutes);
  await typed.register(promotionRoutes, { deps, prefix: '/v1' });
  await typed.register(platformRoutes, { deps, prefix: '/v1' });
  await typed.register(sessionRoutes, { prefix: '/v1' });
  if (deps.fleets) {
    await typed.register(fleetRoutes, { fleets: deps.fleets, runs: deps.store.fleets, prefix: '/v1' });
  }
  return app;
}
