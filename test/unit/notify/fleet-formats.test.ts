import { describe, expect, it } from 'vitest';
import { isNotified, onlyNotified } from '../../../src/providers/notify/fan-out.js';
import { slackMessage, slackNotifier } from '../../../src/providers/notify/slack.js';
import { cloudEvent, webhookNotifier } from '../../../src/providers/notify/webhook.js';
import { fleetNotification, notification } from './notification.js';
import { receiver } from './receiver.js';

const links = {
  promotionUrl: 'https://switchyard.example.com/v1/promotions/{id}',
  fleetRunUrl: 'https://switchyard.example.com/v1/fleet-runs/{id}',
};

describe('fleet notifications in Slack', () => {
  it('posts a header with the run and stage, the message, the run state and the run link', async () => {
    const slack = await receiver();
    await slackNotifier({ webhookUrl: slack.url, ...links }).post(fleetNotification());

    const [post] = slack.received;
    expect(post?.body).toEqual({
      text:
        'shop fleet.stage.finished: stage prod-canary failed: 1 failed, over its budget of 0: shop (promotion ' +
        'shop-fleet-1 is rolled-back) (fleet run fleet-1 to 1.35, by controller) ' +
        'https://switchyard.example.com/v1/fleet-runs/fleet-1',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: ':x: Fleet fleet-1: stage prod-canary failed', emoji: true },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'stage prod-canary failed: 1 failed, over its budget of 0: shop (promotion shop-fleet-1 is rolled-back)',
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Platform*\nshop' },
            { type: 'mrkdwn', text: '*Fleet run*\nfleet-1' },
            { type: 'mrkdwn', text: '*Stage*\nprod-canary (failed)' },
            {
              type: 'mrkdwn',
              text: '*Run state*\nstopping: stage prod-canary failed; halted (onFailure halt)',
            },
            { type: 'mrkdwn', text: '*Upgrade*\nto 1.35 (strategy waves)' },
            { type: 'mrkdwn', text: '*Triggered by*\ncontroller' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '<https://switchyard.example.com/v1/fleet-runs/fleet-1|Open fleet run fleet-1>',
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'fleet-1 · fleet.stage.finished · 2026-11-25T10:00:00.000Z' }],
        },
      ],
    });
  });

  it('has no link with only a promotion link template, and shows no promotion fields', () => {
    const message = slackMessage(fleetNotification());
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    const text = JSON.stringify(message);
    for (const promotionOnly of ['Weights', 'Phase', 'undefined']) expect(text).not.toContain(promotionOnly);
  });

  it('names the failed member and its promotion, and says how a run ended', () => {
    const member = slackMessage(
      fleetNotification({
        type: 'fleet.member.failed',
        message: 'shop failed: promotion shop-fleet-1 is rolled-back',
        stage: { name: 'prod', state: 'running' },
        member: { platform: 'shop', state: 'failed', promotionId: 'shop-fleet-1' },
      }),
    );
    expect(member.blocks[0]).toMatchObject({
      text: { text: ':x: Fleet fleet-1: shop failed in stage prod' },
    });
    expect(member.blocks[2]).toMatchObject({
      fields: expect.arrayContaining([
        { type: 'mrkdwn', text: '*Member*\nshop (failed, promotion shop-fleet-1)' },
      ]),
    });
    const { stage: _stage, reason: _reason, ...runLevel } = fleetNotification();
    const ended = (runState: 'succeeded' | 'aborted' | 'stopped') =>
      slackMessage({ ...runLevel, type: 'fleet.finished', message: `run ${runState}`, runState }).blocks[0];
    expect(ended('succeeded')).toMatchObject({
      text: { text: ':white_check_mark: Fleet fleet-1: run succeeded' },
    });
    expect(ended('aborted')).toMatchObject({ text: { text: ':rewind: Fleet fleet-1: run aborted' } });
    expect(ended('stopped')).toMatchObject({ text: { text: ':octagonal_sign: Fleet fleet-1: run stopped' } });
  });

  it('raises a hand for a stage awaiting approval', () => {
    const message = slackMessage(
      fleetNotification({ type: 'fleet.stage.awaiting-approval', stage: { name: 'prod', state: 'gated' } }),
    );
    expect(message.blocks[0]).toMatchObject({
      text: { text: ':raised_hand: Fleet fleet-1: stage prod awaits approval' },
    });
  });

  it('escapes mrkdwn in a run’s message', () => {
    const message = slackMessage(fleetNotification({ message: 'stage a<b> & c' }));
    expect(message.blocks[1]).toMatchObject({ text: { text: 'stage a&lt;b&gt; &amp; c' } });
  });
});

describe('fleet notifications as CloudEvents', () => {
  it('are about the run: fleet type, the run id as subject, the event id, the run link in data', async () => {
    const hook = await receiver('/events');
    await webhookNotifier({ url: hook.url, ...links }).post(fleetNotification());
    expect(hook.received[0]?.body).toEqual({
      specversion: '1.0',
      id: 'fleet-1-12.0',
      source: 'switchyard/shop',
      type: 'io.switchyard.fleet.stage.finished',
      time: '2026-11-25T10:00:00.000Z',
      subject: 'fleet-1',
      datacontenttype: 'application/json',
      data: { ...fleetNotification(), fleetRunUrl: 'https://switchyard.example.com/v1/fleet-runs/fleet-1' },
    });
  });

  it('carry no link from a promotion template, and a promotion event keeps its own shape', () => {
    const fleet = cloudEvent(fleetNotification());
    expect(fleet.data).toEqual(fleetNotification());
    expect(fleet.data).not.toHaveProperty('promotionUrl');
    const promotion = cloudEvent(notification(), 'https://switchyard.example.com/v1/promotions/p-1');
    expect(promotion).toMatchObject({ subject: 'p-1', type: 'io.switchyard.traffic.verified' });
    expect(promotion.data).toMatchObject({
      kind: 'promotion',
      promotionUrl: 'https://switchyard.example.com/v1/promotions/p-1',
    });
  });

  it('one event told to two platforms differs by source, so (source, id) stays unique', () => {
    const a = cloudEvent(fleetNotification({ platform: 'shop' }));
    const b = cloudEvent(fleetNotification({ platform: 'search' }));
    expect(a.id).toBe(b.id);
    expect([a.source, b.source]).toEqual(['switchyard/shop', 'switchyard/search']);
  });
});

describe('which fleet notifications are delivered', () => {
  it.each([
    'fleet.stage.started',
    'fleet.stage.awaiting-approval',
    'fleet.stage.finished',
    'fleet.member.failed',
    'fleet.finished',
  ])('%s is', (type) => {
    expect(isNotified(type)).toBe(true);
  });

  it.each([
    'fleet.member.started',
    'fleet.member.soaking',
    'fleet.member.finished',
    'fleet.stage.gated',
    'fleet.window.holding',
    'fleet.created',
  ])('%s is not', async (type) => {
    let posted = 0;
    await onlyNotified({ post: async () => void posted++ }).post(fleetNotification({ type }));
    expect(posted).toBe(0);
  });
});
