import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isFinished } from '../../domain/promotion.js';
import { errorMessage } from '../../domain/retryable.js';
import type { ApiDependencies } from '../app.js';
import {
  errorSchema,
  planRequestSchema,
  planSchema,
  platformDetailSchema,
  platformParamsSchema,
  platformSchema,
} from '../schemas.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema };

export const platformRoutes: FastifyPluginAsyncZod<{
  deps: ApiDependencies;
  limit: { max: number; timeWindow: number };
}> = async (app, { deps, limit }) => {
  const withActive = async (name: string) => {
    const latest = await deps.store.latestForPlatform(name);
    return latest && !isFinished(latest) ? { activePromotion: latest.id } : {};
  };

  app.get(
    '/platforms',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Platforms defined in config, each with its live cluster',
        tags: ['platforms'],
        response: { 200: z.object({ items: z.array(platformSchema) }), ...errors },
      },
    },
    async () => ({
      items: await Promise.all(
        (await deps.platforms.list()).map(async (p) => ({ ...p, ...(await withActive(p.name)) })),
      ),
    }),
  );

  app.get(
    '/platforms/:name',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'A platform with the weights its router shows right now',
        tags: ['platforms'],
        params: platformParamsSchema,
        response: { 200: platformDetailSchema, ...errors },
      },
    },
    async (request) => {
      const platform = await deps.platforms.get(request.params.name);
      let liveTraffic: z.output<typeof platformDetailSchema>['liveTraffic'];
      try {
        const reading = await deps.platforms.liveTraffic(platform.name);
        liveTraffic = {
          kind: reading.kind,
          detail: reading.detail,
          ...(reading.green === undefined ? {} : { green: reading.green }),
        };
      } catch (error) {
        // The page still answers when the router cannot be read; it says why instead.
        liveTraffic = { error: errorMessage(error) };
      }
      return { ...platform, ...(await withActive(platform.name)), liveTraffic };
    },
  );

  app.post(
    '/platforms/:name/plan',
    {
      config: { role: 'viewer', rateLimit: limit },
      schema: {
        summary: 'Dry run: what a promotion would do; changes nothing',
        tags: ['platforms'],
        params: platformParamsSchema,
        body: planRequestSchema,
        response: { 200: planSchema, ...errors },
      },
    },
    async (request) => deps.platforms.plan(request.params.name, request.body.targetVersion.replace(/^v/, '')),
  );
};
