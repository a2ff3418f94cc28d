import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { queued } from '../../../src/providers/notify/queue.js';
import { webhookNotifier } from '../../../src/providers/notify/webhook.js';
import { notification } from './notification.js';
import { receiver } from './receiver.js';

describe('webhookNotifier', () => {
  it('posts a CloudEvents 1.0 event in structured mode, with the configured headers', async () => {
    const hook = await receiver('/events');
    await webhookNotifier({
      url: hook.url,
      headers: { Authorization: 'Bearer hook-token', 'Content-Type': 'text/plain' },
      promotionUrl: 'https://dash.example.com/promotions/{id}',
    }).post(notification());

    const [post] = hook.received;
    expect(post?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(post?.headers.authorization).toBe('Bearer hook-token');
    expect(post?.body).toEqual({
      specversion: '1.0',
      id: 'p-1-7.0',
      source: 'switchyard/shop',
      type: 'io.switchyard.traffic.verified',
      time: '2026-11-25T10:00:00.000Z',
      subject: 'p-1',
      datacontenttype: 'application/json',
      data: { ...notification(), promotionUrl: 'https://dash.example.com/promotions/p-1' },
    });
  });

  it('keeps header values out of error messages', async () => {
    const hook = await receiver('/events');
    hook.replies.push(401);
    const error = await webhookNotifier({
      url: `${hook.url}?token=abcdef`,
      headers: { 'X-Key': 'key-123456' },
    })
      .post(notification())
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ message: 'HTTP 401: invalid_payload', retryable: false });
  });

  it('delivers one promotion’s events in the order they were posted', async () => {
    const hook = await receiver('/events');
    const queue = queued(webhookNotifier({ url: hook.url }), {
      name: 'webhook',
      log: pino({ level: 'silent' }),
    });
    const ids = Array.from({ length: 25 }, (_, i) => `p-1-${i + 1}.0`);
    for (const eventId of ids) void queue.post(notification({ eventId }));
    await queue.idle();
    expect(hook.received.map((r) => (r.body as { id: string }).id)).toEqual(ids);
  });
});
