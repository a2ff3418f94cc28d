import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { roles } from '../auth.js';
import { errorResponses } from '../http-schemas.js';
import { principalSchema } from '../schemas.js';

/** Who the token belongs to: lets the CLI and the dashboard show only what the caller may do. */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "The caller's name and role",
        tags: ['session'],
        response: { 200: principalSchema, ...errorResponses(401) },
      },
    },
    async (request) => {
      const principal = request.principal;
      // The viewer role above guarantees a principal, unless reads are public (then: anonymous viewer).
      return principal ?? { name: 'anonymous', role: roles[0] };
    },
  );
};
