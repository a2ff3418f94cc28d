import type { FastifyReply } from 'fastify';
import { isFinished } from '../domain/promotion.js';
import type { PromotionStore } from '../store/store.js';

/**
 * Streams a promotion's events as server-sent events, from after `afterSeq` (a reconnecting client
 * sends Last-Event-ID), by reading the durable log: whatever process wrote an event, it is streamed.
 * Ends once the promotion has finished and every event has gone out, or when the client goes away.
 */
export async function streamEvents(
  reply: FastifyReply,
  store: PromotionStore,
  promotionId: string,
  afterSeq: number,
  pollMs: number,
): Promise<FastifyReply> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let closed = false;
  raw.on('close', () => {
    closed = true;
  });
  let last = afterSeq;
  while (!closed) {
    const events = await store.events(promotionId, last);
    for (const event of events) {
      raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      last = event.seq;
    }
    const promotion = await store.get(promotionId);
    if (promotion === undefined || (isFinished(promotion) && events.length === 0)) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  raw.end();
  return reply;
}
