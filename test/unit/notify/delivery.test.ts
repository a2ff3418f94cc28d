import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Notifier } from '../../../src/domain/ports.js';
import { fanOut, isNotified, onlyNotified } from '../../../src/providers/notify/fan-out.js';
import { NotifyError } from '../../../src/providers/notify/http.js';
import { type NotifyOutcome, queued } from '../../../src/providers/notify/queue.js';
import { withRetry } from '../../../src/providers/notify/retry.js';
import { webhookNotifier } from '../../../src/providers/notify/webhook.js';
import { notification } from './notification.js';
import { deadUrl, receiver } from './receiver.js';

const silent = pino({ level: 'silent' });

function sleeps() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

describe('withRetry', () => {
  it('retries a 500 with exponential backoff, then succeeds', async () => {
    const hook = await receiver();
    hook.replies.push(500, 503);
    const { slept, sleep } = sleeps();
    await withRetry(webhookNotifier({ url: hook.url }), { baseDelayMs: 100, sleep }).post(notification());
    expect(hook.received).toHaveLength(3);
    expect(slept).toEqual([100, 200]);
  });

  it('does not retry a 400', async () => {
    const hook = await receiver();
    hook.replies.push(400);
    const { slept, sleep } = sleeps();
    const error = await withRetry(webhookNotifier({ url: hook.url }), { sleep })
      .post(notification())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'HTTP 400: invalid_payload', retryable: false });
    expect(hook.received).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('gives up after maxAttempts, caps the delay and honours Retry-After', async () => {
    let calls = 0;
    const flaky: Notifier = {
      async post() {
        calls++;
        throw new NotifyError('HTTP 429', true, 7_000);
      },
    };
    const { slept, sleep } = sleeps();
    const error = await withRetry(flaky, { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 5_000, sleep })
      .post(notification())
      .catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(slept).toEqual([5_000, 5_000]);
    expect(error).toMatchObject({ message: 'HTTP 429 (3 attempts)' });
  });

  it('retries a refused connection', async () => {
    const { slept, sleep } = sleeps();
    const error = await withRetry(webhookNotifier({ url: await deadUrl() }), { maxAttempts: 2, sleep })
      .post(notification())
      .catch((e: unknown) => e);
    expect(slept).toHaveLength(1);
    expect(error).toMatchObject({
      message: expect.stringMatching(
        /^request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(2 attempts\)$/,
      ),
    });
  });
});

describe('queued', () => {
  it('returns before delivery, and counts what was sent', async () => {
    const hook = await receiver();
    const outcomes: NotifyOutcome[] = [];
    const queue = queued(webhookNotifier({ url: hook.url }), {
      name: 'webhook',
      log: silent,
      count: (o) => outcomes.push(o),
    });
    await queue.post(notification());
    expect(hook.received).toHaveLength(0);
    await queue.idle();
    expect(hook.received).toHaveLength(1);
    expect(outcomes).toEqual(['sent']);
  });

  it('drops the oldest when full, counts and reports it', async () => {
    let release = () => {};
    const delivered: string[] = [];
    const slow: Notifier = {
      async post(n) {
        if (delivered.length === 0) await new Promise<void>((resolve) => (release = resolve));
        delivered.push(n.eventId);
      },
    };
    const outcomes: NotifyOutcome[] = [];
    const failed: string[] = [];
    const queue = queued(slow, { name: 'slow', log: silent, capacity: 2, count: (o) => outcomes.push(o) });
    for (const eventId of ['e1', 'e2', 'e3', 'e4'])
      void queue.post(notification({ eventId }), {
        onFailed: (reason) => failed.push(`${eventId}: ${reason}`),
      });
    release();
    await queue.idle();
    // e1 was in flight; e2 was dropped when e4 came.
    expect(delivered).toEqual(['e1', 'e3', 'e4']);
    expect(outcomes.sort()).toEqual(['dropped', 'sent', 'sent', 'sent']);
    expect(failed).toEqual(['e2: slow: queue full (2 waiting)']);
  });

  it('never rejects, and tells onFailed why', async () => {
    const broken: Notifier = {
      post: async () => {
        throw new Error('boom');
      },
    };
    const failed: string[] = [];
    const queue = queued(broken, { name: 'broken', log: silent });
    await queue.post(notification(), { onFailed: (reason) => failed.push(reason) });
    await queue.idle();
    expect(failed).toEqual(['broken: boom']);
  });
});

describe('fanOut', () => {
  it('posts to every target even when one fails, then rejects with the failures', async () => {
    const a = await receiver('/a');
    const b = await receiver('/b');
    const dead = webhookNotifier({ url: await deadUrl('/secret-path') });
    const error = await fanOut([webhookNotifier({ url: a.url }), dead, webhookNotifier({ url: b.url })])
      .post(notification())
      .catch((e: unknown) => e);
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(1);
    expect(error).toMatchObject({ message: expect.stringMatching(/^request failed: connect ECONNREFUSED/) });
  });
});

describe('which events notify', () => {
  it.each([
    'stage.started',
    'stage.succeeded',
    'stage.failed',
    'stage.retry',
    'traffic.verified',
    'gate.opened',
    'rollback.requested',
    'rollback.weights-set',
    'rollback.finished',
    'promotion.created',
    'promotion.succeeded',
    'promotion.paused',
    'promotion.resumed',
  ])('%s does', (type) => {
    expect(isNotified(type)).toBe(true);
  });

  it.each(['notify.failed', 'gate.approved', 'traffic.manual-refused'])('%s does not', async (type) => {
    expect(isNotified(type)).toBe(false);
    let posted = 0;
    await onlyNotified({ post: async () => void posted++ }).post(notification({ type }));
    expect(posted).toBe(0);
  });
});
