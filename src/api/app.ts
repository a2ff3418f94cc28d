import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Controller } from '../engine/controller.js';
import type { Metrics } from '../metrics.js';
import type { PromotionStore } from '../store/store.js';
import { type Authenticator, allows, type Principal, type Role } from './auth.js';
import type { PlatformCatalog } from './catalog.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { AccessError, handleError } from './errors.js';
import { platformRoutes } from './routes/platforms.js';
import { promotionRoutes } from './routes/promotions.js';
import { sessionRoutes } from './routes/session.js';
import { systemRoutes } from './routes/system.js';

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
  /** How often the event stream looks for new events. */
  readonly eventPollMs?: number;
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

/**
 * The HTTP API. Plugins in a fixed order: error handling and validation → auth → rate limiting →
 * OpenAPI → routes. Handlers are thin: parse (zod), call one controller or store method, map the result.
 */
export async function buildApi(deps: ApiDependencies) {
  const app = Fastify({ loggerInstance: deps.log, bodyLimit: bodyLimitBytes });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);

  app.addHook('onRequest', async (request) => {
    const role = request.routeOptions.config.role;
    if (role === undefined) return;
    const principal = deps.auth.authenticate(request.headers.authorization);
    const mutating = request.method !== 'GET' && request.method !== 'HEAD';
    if (principal === undefined) {
      if (!mutating && deps.auth.publicReads) return;
      throw new AccessError(
        401,
        request.headers.authorization ? 'unknown token' : 'a bearer token is required',
      );
    }
    request.principal = principal;
    if (!allows(principal.role, role))
      throw new AccessError(403, `${principal.name} (${principal.role}) may not do this; it needs ${role}`);
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
    });
    if (
      request.method === 'GET' ||
      request.method === 'HEAD' ||
      request.routeOptions.config.role === undefined
    )
      return;
    const params = request.params as { id?: string } | undefined;
    const status = reply.statusCode;
    await deps.store.appendAudit({
      actor: request.principal?.name ?? 'anonymous',
      action: `${request.method} ${request.url}`,
      ...(params?.id ? { promotionId: params.id } : {}),
      status,
      outcome: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
    });
  });

  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.principal?.name ?? request.ip,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Switchyard',
        version: '1',
        description: 'Blue-green EKS upgrades: promotions, traffic, rollback.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  const limit = { max: deps.mutationsPerMinute ?? 60, timeWindow: 60_000 };
  await typed.register(systemRoutes, { deps });
  await app.register(dashboardRoutes);
  await typed.register(promotionRoutes, { deps, limit, prefix: '/v1' });
  await typed.register(platformRoutes, { deps, limit, prefix: '/v1' });
  await typed.register(sessionRoutes, { prefix: '/v1' });
  return app;
}
