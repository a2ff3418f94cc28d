import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDependencies } from '../app.js';

/**
 * Health, readiness, metrics and the OpenAPI document: public, so probes and scrapers need no token.
 */
export const systemRoutes: FastifyPluginAsyncZod<{ deps: ApiDependencies }> = async (app, { deps }) => {
  const status = z.object({ status: z.string() });
  app.get('/healthz', { schema: { hide: true, response: { 200: status } } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { schema: { hide: true, response: { 200: status, 503: status } } },
    async (_request, reply) => {
      const ready = await deps.ready();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const promotions = await deps.store.active();
    deps.metrics.promotionsByPhase.reset();
    for (const p of promotions) {
      deps.metrics.promotionsByPhase.inc({ phase: p.phase });
      deps.metrics.greenWeight.set({ platform: p.platform }, p.traffic.green);
    }
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
