import type { Notification, Notifier, PromotionNotification } from '../../domain/ports.js';
import { type Fetch, notificationLink, postJson } from './http.js';
import { cut, field, header, mrkdwn, type SlackBlock, type SlackMessage, title } from './slack-blocks.js';
import { fleetSlackMessage } from './slack-fleet.js';

export type { SlackBlock, SlackMessage } from './slack-blocks.js';

export interface SlackNotifierOptions {
  /** A Slack incoming-webhook URL: a secret. */
  readonly webhookUrl: string;
  /** e.g. "https://switchyard.example.com/v1/promotions/{id}": adds a link to each message. */
  readonly promotionUrl?: string | undefined;
  /** e.g. "https://switchyard.example.com/v1/fleet-runs/{id}": adds a link to each fleet message. */
  readonly fleetRunUrl?: string | undefined;
  readonly fetch?: Fetch | undefined;
  readonly timeoutMs?: number | undefined;
}

/** Posts each notification to a Slack incoming webhook. Throws NotifyError when Slack refuses it. */
export function slackNotifier(options: SlackNotifierOptions): Notifier {
  return {
    post: (notification) =>
      postJson({
        url: options.webhookUrl,
        body: slackMessage(notification, notificationLink(options, notification)),
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      }),
  };
}

/** The message for a promotion's event or a fleet run's, with its link when one is configured. */
export function slackMessage(n: Notification, link?: string): SlackMessage {
  return n.kind === 'fleet' ? fleetSlackMessage(n, link) : promotionSlackMessage(n, link);
}

/** A Block Kit message: a header, the event's message, the promotion's state, and a link when known. */
function promotionSlackMessage(n: PromotionNotification, link?: string): SlackMessage {
  const weights = `blue ${n.blue}% / green ${n.green}%`;
  const blocks: SlackBlock[] = [
    header(`${icon(n.type)} ${n.platform}: ${title(n.type)}`),
    { type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwn(n.message), 3000) } },
    {
      type: 'section',
      fields: [
        field('Platform', n.platform),
        field('Stage', n.stage),
        field('Phase', n.phase),
        field('Weights', weights),
        field('Triggered by', n.actor),
        field('Upgrade', `${n.fromVersion} → ${n.toVersion}`),
      ],
    },
  ];
  if (link !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${link}|Open promotion ${mrkdwn(n.promotionId)}>` },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: mrkdwn(`${n.promotionId} · ${n.type} · ${n.at}`) }],
  });
  const text = `${n.platform} ${n.type}: ${n.message} (${weights}, by ${n.actor})${link === undefined ? '' : ` ${link}`}`;
  return { text: cut(text, 3000), blocks };
}

function icon(type: string): string {
  if (/failed|error/.test(type)) return ':x:';
  if (type.startsWith('rollback.')) return ':rewind:';
  if (/succeeded|finished/.test(type)) return ':white_check_mark:';
  if (type === 'gate.opened' || type === 'promotion.paused') return ':raised_hand:';
  return ':large_blue_circle:';
}
