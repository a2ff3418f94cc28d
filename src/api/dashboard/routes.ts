import type { FastifyPluginAsync } from 'fastify';
import { fleetPage } from './fleet-page.js';
import { fleetScript } from './fleet-script.js';
import { dashboardPage } from './page.js';
import { dashboardScript } from './script.js';

/**
 * The dashboard: one page and one script, public like /docs (they hold no data); every API call the
 * page makes carries the token the person enters and goes through the same auth as the CLI.
 */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const security = {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:",
    'x-content-type-options': 'nosniff',
  };
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard'));
  app.get('/dashboard', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(security).type('text/html; charset=utf-8').send(dashboardPage),
  );
  app.get('/dashboard/app.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(security).type('text/javascript; charset=utf-8').send(dashboardScript),
  );
  // The fleet view: stages as rows, members as cells coloured by state.
  app.get('/dashboard/fleet', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(security).type('text/html; charset=utf-8').send(fleetPage),
  );
  app.get('/dashboard/fleet.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(security).type('text/javascript; charset=utf-8').send(fleetScript),
  );
};
