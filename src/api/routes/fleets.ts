import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { parseFleetStrategy } from '../../config/fleet-schema.js';
import { NotFoundError } from '../../domain/errors.js';
import type { FleetRun } from '../../domain/fleet.js';
import type { FleetRunRequest, FleetSurface } from '../../fleet/surface.js';
import type { FleetRunStore } from '../../store/fleet-store.js';
import { createFeeds } from '../event-feed.js';
import { fleetRunFeedSource } from '../fleet-event-feed.js';
import {
  fleetApproveSchema,
  fleetPauseSchema,
  fleetPlanSchema,
  fleetRunListQuerySchema,
  fleetRunListSchema,
  fleetRunRequestSchema,
  fleetRunSchema,
  fleetServerSentEventSchema,
  fleetStopSchema,
  fleetStrategyListSchema,
} from '../fleet-schemas.js';
import { errorResponses, eventStreamHeadersSchema, idParamsSchema } from '../http-schemas.js';
import { sseFrame, streamEvents } from '../sse.js';

interface Options {
  readonly fleets: FleetSurface;
  /** The store's fleet runs: their event logs, and a watch for the live stream. */
  readonly runs: FleetRunStore;
}

/** What a read of one run can answer besides 200. */
const readErrors = errorResponses(400, 401, 403, 404);
/** What a command on a run can answer besides 200 (a body: 400/413/415; the caller's budget: 429). */
const commandErrors = errorResponses(400, 401, 403, 404, 409, 413, 415, 429);

const tags = ['fleets'];

/**
 * Fleet runs: many platforms moved to a version in stages. Handlers are thin, as for promotions: parse
 * (zod), call one FleetSurface method, and let the domain's errors map to 404 (unknown run or strategy),
 * 409 (a transition the run's state refuses) and 400 (an input the fleet layer rejects).
 */
export const fleetRoutes: FastifyPluginAsyncZod<Options> = async (app, { fleets, runs }) => {
  const who = (request: { principal?: { name: string } }) => request.principal?.name ?? 'anonymous';
  const mutation = (summary: string) => ({ role: 'operator' as const, summary });
  const found = async (id: string): Promise<FleetRun> => {
    const run = await fleets.get(id);
    if (run === undefined) throw new NotFoundError('fleet run', id);
    return run;
  };
  const feeds = createFeeds(fleetRunFeedSource(runs), {
    format: sseFrame,
    onError: (error) => app.log.error({ err: error }, 'fleet event stream failed'),
  });
  // Before the server waits for its connections to end: a stream of an unfinished run never would.
  app.addHook('preClose', async () => feeds.endAll());
  const runRequest = (body: z.output<typeof fleetRunRequestSchema>): FleetRunRequest => ({
    strategy:
      typeof body.strategy === 'string' ? body.strategy : parseFleetStrategy(body.strategy, 'body.strategy'),
    targetVersion: body.targetVersion.replace(/^v/, ''),
  });

  app.get(
    '/fleet-strategies',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Fleet strategies from the config (fleetsDir)',
        tags,
        response: { 200: fleetStrategyListSchema, ...errorResponses(401, 403) },
      },
    },
    async () => ({ items: [...(await fleets.strategies())] }),
  );

  app.post(
    '/fleet-plans',
    {
      // A POST, so it counts against the caller's mutation budget like the commands (it calls AWS).
      config: { role: 'viewer' },
      schema: {
        summary: 'Dry run of a fleet run: stages, members in order, and what would block each now',
        description:
          'Changes nothing. The strategy is a name from GET /v1/fleet-strategies or a whole strategy.',
        tags,
        body: fleetRunRequestSchema,
        // Blockers are read from the platforms' clusters and EKS: AWS can fail it (502/503).
        response: {
          200: fleetPlanSchema,
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 502, 503),
        },
      },
    },
    async (request) => fleets.plan(runRequest(request.body)),
  );

  app.post(
    '/fleet-runs',
    {
      config: mutation('start a fleet run'),
      schema: {
        summary: 'Start a fleet run of a strategy toward a Kubernetes version',
        description:
          "The run keeps a snapshot of the strategy and of each stage's members as they are now. Each member " +
          'is moved by an ordinary promotion with id "<platform>-<run id>".',
        tags,
        body: fleetRunRequestSchema,
        response: { 201: fleetRunSchema, ...commandErrors, ...errorResponses(502, 503) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await fleets.start(runRequest(request.body), who(request))),
  );

  app.get(
    '/fleet-runs',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'List fleet runs, newest first',
        tags,
        querystring: fleetRunListQuerySchema,
        response: { 200: fleetRunListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { state, limit, offset } = request.query;
      const items = await fleets.list({ ...(state ? { state } : {}), limit, offset });
      return { items, limit, offset };
    },
  );

  app.get(
    '/fleet-runs/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'A fleet run: its stages, gates and members',
        tags,
        params: idParamsSchema,
        response: { 200: fleetRunSchema, ...readErrors },
      },
    },
    async (request) => found(request.params.id),
  );

  app.get(
    '/fleet-runs/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "A run's events as a server-sent event stream (resumes after Last-Event-ID)",
        tags,
        params: idParamsSchema,
        headers: eventStreamHeadersSchema,
        response: {
          200: {
            description: 'one event per fleet event, until the run has finished and all were sent',
            content: { 'text/event-stream': { schema: fleetServerSentEventSchema } },
          },
          ...readErrors,
        },
      },
    },
    async (request, reply) => {
      // The stream reads the store's log, so the run must be there (as it is once start answered).
      if ((await runs.getRun(request.params.id)) === undefined)
        throw new NotFoundError('fleet run', request.params.id);
      const lastId = Number(request.headers['last-event-id'] ?? 0);
      return streamEvents(reply, feeds, request.params.id, Number.isFinite(lastId) ? lastId : 0);
    },
  );

  app.post(
    '/fleet-runs/:id/pause',
    {
      config: mutation('pause a fleet run'),
      schema: {
        summary: 'Pause: no new member starts and no stage opens; promotions in flight go on',
        tags,
        params: idParamsSchema,
        body: fleetPauseSchema.nullish(),
        response: { 200: fleetRunSchema, ...commandErrors },
      },
    },
    async (request) =>
      fleets.pause(request.params.id, who(request), request.body?.reason ?? 'paused by request'),
  );

  app.post(
    '/fleet-runs/:id/resume',
    {
      config: mutation('resume a fleet run'),
      schema: {
        summary: 'Resume a paused fleet run',
        tags,
        params: idParamsSchema,
        response: { 200: fleetRunSchema, ...commandErrors },
      },
    },
    async (request) => fleets.resume(request.params.id, who(request)),
  );

  app.post(
    '/fleet-runs/:id/stop',
    {
      config: mutation('stop a fleet run'),
      schema: {
        summary: 'Stop: start no new member; promotions in flight go on; the run ends stopped',
        tags,
        params: idParamsSchema,
        body: fleetStopSchema,
        response: { 200: fleetRunSchema, ...commandErrors },
      },
    },
    async (request) => fleets.stop(request.params.id, who(request), request.body.reason),
  );

  app.post(
    '/fleet-runs/:id/abort',
    {
      config: mutation('abort a fleet run'),
      schema: {
        summary:
          'Abort: as stop, and roll back every member still promoting or soaking; the run ends aborted',
        description: "Rollbacks are never held by the strategy's windows or gates.",
        tags,
        params: idParamsSchema,
        body: fleetStopSchema,
        response: { 200: fleetRunSchema, ...commandErrors },
      },
    },
    async (request) => fleets.abort(request.params.id, who(request), request.body.reason),
  );

  app.post(
    '/fleet-runs/:id/approve',
    {
      config: mutation('approve a fleet stage'),
      schema: {
        summary: "Meet a stage's approval gate",
        tags,
        params: idParamsSchema,
        body: fleetApproveSchema,
        response: { 200: fleetRunSchema, ...commandErrors },
      },
    },
    async (request) => fleets.approve(request.params.id, request.body.stage, who(request)),
  );
};
