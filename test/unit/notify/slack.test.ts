import { describe, expect, it } from 'vitest';
import { NotifyError } from '../../../src/providers/notify/http.js';
import { slackMessage, slackNotifier } from '../../../src/providers/notify/slack.js';
import { notification } from './notification.js';
import { receiver } from './receiver.js';

describe('slackNotifier', () => {
  it('posts blocks with the promotion state and a plain-text fallback', async () => {
    const slack = await receiver();
    await slackNotifier({
      webhookUrl: slack.url,
      promotionUrl: 'https://switchyard.example.com/v1/promotions/{id}',
    }).post(notification({ actor: 'alice' }));

    const [post] = slack.received;
    expect(post?.path).toBe('/hooks/T000/B000/s3cr3t');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.body).toEqual({
      text: 'shop traffic.verified: 10% to green verified at the router (blue 90% / green 10%, by alice) https://switchyard.example.com/v1/promotions/p-1',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: ':large_blue_circle: shop: Traffic verified', emoji: true },
        },
        { type: 'section', text: { type: 'mrkdwn', text: '10% to green verified at the router' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Platform*\nshop' },
            { type: 'mrkdwn', text: '*Stage*\nshift-traffic' },
            { type: 'mrkdwn', text: '*Phase*\nrunning' },
            { type: 'mrkdwn', text: '*Weights*\nblue 90% / green 10%' },
            { type: 'mrkdwn', text: '*Triggered by*\nalice' },
            { type: 'mrkdwn', text: '*Upgrade*\n1.34 → 1.35' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '<https://switchyard.example.com/v1/promotions/p-1|Open promotion p-1>',
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'p-1 · traffic.verified · 2026-11-25T10:00:00.000Z' }],
        },
      ],
    });
  });

  it('leaves the link out without a promotion URL, and escapes mrkdwn', () => {
    const message = slackMessage(notification({ type: 'stage.failed', message: 'qualify: <3 of 5> & more' }));
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(message.blocks[0]).toMatchObject({ text: { text: ':x: shop: Stage failed' } });
    expect(message.blocks[1]).toMatchObject({ text: { text: 'qualify: &lt;3 of 5&gt; &amp; more' } });
    expect(message.text).not.toContain('http');
  });

  it('says why Slack refused, without the webhook URL', async () => {
    const slack = await receiver();
    slack.replies.push(404);
    const error = await slackNotifier({ webhookUrl: slack.url })
      .post(notification())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifyError);
    expect(error).toMatchObject({ message: 'HTTP 404: invalid_payload', retryable: false });
  });
});
