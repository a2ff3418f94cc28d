import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { NotFoundError } from '../../domain/errors.js';
import type { Promotion } from '../../domain/promotion.js';
import { greenPercent } from '../../domain/weights.js';
import type { ApiDependencies } from '../app.js';
import { createEventFeeds } from '../event-feed.js';
import {
  errorResponses,
  eventStreamHeadersSchema,
  idParamsSchema,
  platformParamsSchema,
  serverSentEventSchema,
} from '../http-schemas.js';
import { createReadCache } from '../read-cache.js';
import {
  abandonSchema,
  approveSchema,
  createPromotionSchema,
  detailQuerySchema,
  listQuerySchema,
  pauseSchema,
  promotionDetailSchema,
  promotionListSchema,
  promotionSchema,
  rollbackRequestSchema,
  trafficSchema,
} from '../schemas.js';
import { compiledSerializer, sendJson } from '../serializer.js';
import { sseFrame, streamEvents } from '../sse.js';

interface Options {
  readonly deps: ApiDependencies;
}

/** What a read of one promotion can answer besides 200. */
const readErrors = errorResponses(400, 401, 403, 404);
/** What a command on a promotion can answer besides 200 (a body: 400/413/415; the caller's budget: 429). */
const commandErrors = errorResponses(400, 401, 403, 404, 409, 413, 415, 429);

export const promotionRoutes: FastifyPluginAsyncZod<Options> = async (app, { deps }) => {
  const { controller, store } = deps;
  const who = (request: { principal?: { name: string } }) => request.principal?.name ?? 'anonymous';
  const found = async (id: string): Promise<Promotion> => {
    const promotion = await store.get(id);
    if (promotion === undefined) throw new NotFoundError('promotion', id);
    return promotion;
  };
  const mutation = (summary: string) => ({ role: 'operator' as const, summary });
  const details = createReadCache(store);
  const detailJson = compiledSerializer(promotionDetailSchema);
  const feeds = createEventFeeds(store, {
    format: sseFrame,
    onError: (error) => app.log.error({ err: error }, 'event stream failed'),
  });
  // Before the server waits for its connections to end: a stream of a running promotion never would.
  app.addHook('preClose', async () => feeds.endAll());

  app.post(
    '/promotions',
    {
      config: mutation('start a promotion'),
      schema: {
        summary: 'Start a promotion',
        tags: ['promotions'],
        body: createPromotionSchema,
        // Creating one reads the live cluster and what EKS offers: AWS can fail it (502/503).
        response: { 201: promotionSchema, ...commandErrors, ...errorResponses(502, 503) },
      },
    },
    async (request, reply) => {
      const { platform, targetVersion, options } = request.body;
      const input = await deps.platforms.newPromotion({
        platform,
        targetVersion: targetVersion.replace(/^v/, ''),
        createdBy: who(request),
        ...(options?.rollback ? { rollback: options.rollback } : {}),
      });
      return reply.code(201).send(await controller.startPromotion(input));
    },
  );

  app.get(
    '/promotions',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'List promotions, newest first',
        tags: ['promotions'],
        querystring: listQuerySchema,
        response: { 200: promotionListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { platform, phase, limit: max, offset } = request.query;
      const items = await store.list({
        ...(platform ? { platform } : {}),
        ...(phase ? { phase } : {}),
        limit: max,
        offset,
      });
      return { items, limit: max, offset };
    },
  );

  app.get(
    '/promotions/:id',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'A promotion with its stages, traffic, gates and a page of its events',
        description:
          'Carries the newest events (eventsLimit, default 100) and eventsTotal. To read them all in order, ' +
          'ask with eventsAfter=0, then with eventsAfter set to the last seq of each page until a page is short.',
        tags: ['promotions'],
        params: idParamsSchema,
        querystring: detailQuerySchema,
        response: { 200: promotionDetailSchema, ...readErrors },
      },
    },
    async (request, reply) => {
      const { eventsAfter, eventsLimit } = request.query;
      const body = await details.body(
        request.params.id,
        `${eventsAfter ?? 'newest'}/${eventsLimit}`,
        async () => {
          const promotion = await found(request.params.id);
          const page = await store.eventPage(promotion.id, {
            ...(eventsAfter === undefined ? {} : { afterSeq: eventsAfter }),
            limit: eventsLimit,
          });
          return detailJson({ ...promotion, events: page.events, eventsTotal: page.total });
        },
      );
      return sendJson(reply, body);
    },
  );

  app.get(
    '/promotions/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Live events as a server-sent event stream (resumes after Last-Event-ID)',
        tags: ['promotions'],
        params: idParamsSchema,
        headers: eventStreamHeadersSchema,
        // The stream is text/event-stream; an error before it starts is an Error body in JSON.
        response: {
          200: {
            description: 'one event per promotion event, until the promotion has finished and all were sent',
            content: { 'text/event-stream': { schema: serverSentEventSchema } },
          },
          ...readErrors,
        },
      },
    },
    async (request, reply) => {
      await found(request.params.id);
      const lastId = Number(request.headers['last-event-id'] ?? 0);
      return streamEvents(reply, feeds, request.params.id, Number.isFinite(lastId) ? lastId : 0);
    },
  );

  app.put(
    '/promotions/:id/traffic',
    {
      config: mutation('set a manual weight'),
      schema: {
        summary: 'Set the weight by hand (pauses automatic stepping)',
        tags: ['promotions'],
        params: idParamsSchema,
        body: trafficSchema,
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    async (request) =>
      controller.setWeight(request.params.id, greenPercent(request.body.green, 'body.green'), who(request)),
  );

  app.post(
    '/promotions/:id/pause',
    {
      config: mutation('pause'),
      schema: {
        summary: 'Pause automatic progress',
        tags: ['promotions'],
        params: idParamsSchema,
        body: pauseSchema.nullish(),
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    async (request) =>
      controller.pause(request.params.id, who(request), request.body?.reason ?? 'paused by request'),
  );

  app.post(
    '/promotions/:id/resume',
    {
      config: mutation('resume'),
      schema: {
        summary: 'Resume automatic progress',
        tags: ['promotions'],
        params: idParamsSchema,
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    async (request) => controller.resume(request.params.id, who(request)),
  );

  app.post(
    '/promotions/:id/approve',
    {
      config: mutation('approve a gate'),
      schema: {
        summary: 'Approve an open gate (decommission needs admin)',
        tags: ['promotions'],
        params: idParamsSchema,
        body: approveSchema.nullish(),
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    // Deleting blue is the point of no return: only an admin may approve it. The command checks that
    // on the gate it resolves from the record it writes, never on an earlier read.
    async (request) =>
      controller.approve(request.params.id, request.body?.gate, {
        name: who(request),
        mayDecommission: request.principal?.role === 'admin',
      }),
  );

  app.post(
    '/promotions/:id/rollback',
    {
      config: mutation('roll back'),
      schema: {
        summary: 'Roll back now',
        tags: ['promotions'],
        params: idParamsSchema,
        body: rollbackRequestSchema,
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    async (request) => controller.rollback(request.params.id, { ...request.body, by: who(request) }),
  );

  app.post(
    '/promotions/:id/abandon',
    {
      config: { ...mutation('abandon'), role: 'admin' as const },
      schema: {
        summary: 'End a promotion that cannot finish, where it stands, without touching AWS (admin)',
        description:
          'For a promotion stuck for good (its blue cluster is gone, a step can never succeed). The router is ' +
          'read, not written, and where traffic stands is recorded in the promotion.abandoned event. The live ' +
          'slot does not change unless blue was already being deleted.',
        tags: ['promotions'],
        params: idParamsSchema,
        body: abandonSchema,
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    async (request) => controller.abandon(request.params.id, who(request), request.body.reason),
  );

  app.post(
    '/promotions/:id/teardown',
    {
      config: { ...mutation('tear down green'), role: 'admin' as const },
      schema: {
        summary: 'Delete the green cluster a finished promotion left behind (admin)',
        description:
          'For a promotion rolled back with green kept, or abandoned: traffic still on green moves to the live ' +
          'cluster first, then green drains for the drain delay and is deleted, so its slot can take the next ' +
          "promotion's green.",
        tags: ['promotions'],
        params: idParamsSchema,
        // Tearing down reads the router and the green cluster first: AWS can fail it (502/503).
        response: { 200: promotionSchema, ...commandErrors, ...errorResponses(502, 503) },
      },
    },
    async (request) => controller.teardownGreen(request.params.id, who(request)),
  );

  app.post(
    '/platforms/:name/rollback',
    {
      config: mutation('roll back a platform'),
      schema: {
        summary: "Roll back the platform's active (or latest) promotion",
        tags: ['platforms'],
        params: platformParamsSchema,
        body: rollbackRequestSchema,
        response: { 200: promotionSchema, ...commandErrors },
      },
    },
    async (request) => {
      await deps.platforms.get(request.params.name);
      const latest = await store.latestForPlatform(request.params.name);
      if (latest === undefined) throw new NotFoundError('promotion of platform', request.params.name);
      return controller.rollback(latest.id, { ...request.body, by: who(request) });
    },
  );
};
