import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isFinished } from '../../domain/promotion.js';
import { errorMessage } from '../../domain/retryable.js';
import type { ApiDependencies } from '../app.js';
import { errorResponses, platformParamsSchema } from '../http-schemas.js';
import { planRequestSchema, planSchema, platformDetailSchema, platformSchema } from '../schemas.js';

export const platformRoutes: FastifyPluginAsyncZod<{ deps: ApiDependencies }> = async (app, { deps }) => {
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
        response: { 200: z.object({ items: z.array(platformSchema) }), ...errorResponses(401, 403) },
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
        // A router that cannot be read is reported in liveTraffic, not as an error.
        response: { 200: platformDetailSchema, ...errorResponses(400, 401, 403, 404) },
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
      // A POST, so it counts against the caller's mutation budget like the commands (it calls AWS).
      config: { role: 'viewer' },
      schema: {
        summary: 'Dry run: what a promotion would do; changes nothing',
        tags: ['platforms'],
        params: platformParamsSchema,
        body: planRequestSchema,
        response: {
          200: planSchema,
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
          ...errorResponses(502, 503),
        },
      },
    },
    async (request) => deps.platforms.plan(request.params.name, request.body.targetVersion.replace(/^v/, '')),
  );
};
