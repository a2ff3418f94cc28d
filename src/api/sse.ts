import type { FastifyReply } from 'fastify';
import type { EventFeeds } from './event-feed.js';

/** One event (a promotion's or a fleet run's) as a server-sent event: its seq is the id a reconnecting client resumes after. */
export function sseFrame(event: { readonly seq: number; readonly type: string }): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Streams a promotion's events as server-sent events, from after `afterSeq` (a reconnecting client
 * sends Last-Event-ID). Events are pushed as their writes commit (the feed watches the store), and read
 * from the durable log by seq. Ends once the promotion has finished and every event has gone out, or
 * when the client goes away.
 */
export function streamEvents(
  reply: FastifyReply,
  feeds: EventFeeds,
  promotionId: string,
  afterSeq: number,
): FastifyReply {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // The client learns at once that the stream is open, before the first event.
  raw.flushHeaders();
  const subscription = feeds.subscribe(promotionId, afterSeq, {
    write: (text) => raw.write(text),
    end: () => raw.end(),
  });
  raw.on('drain', () => subscription.resume());
  raw.on('close', () => subscription.close());
  return reply;
}
