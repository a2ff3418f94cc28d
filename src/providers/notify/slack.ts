import type { Notification, Notifier } from '../../domain/ports.js';
import { type Fetch, postJson, promotionLink } from './http.js';

export interface SlackNotifierOptions {
  /** A Slack incoming-webhook URL: a secret. */
  readonly webhookUrl: string;
  /** e.g. "https://switchyard.example.com/v1/promotions/{id}": adds a link to each message. */
  readonly promotionUrl?: string | undefined;
  readonly fetch?: Fetch | undefined;
  readonly timeoutMs?: number | undefined;
}

/** Posts each notification to a Slack incoming webhook. Throws NotifyError when Slack refuses it. */
export function slackNotifier(options: SlackNotifierOptions): Notifier {
  return {
    post: (notification) =>
      postJson({
        url: options.webhookUrl,
        body: slackMessage(notification, promotionLink(options.promotionUrl, notification.promotionId)),
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      }),
  };
}

interface TextObject {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: TextObject }
  | { readonly type: 'section'; readonly text?: TextObject; readonly fields?: readonly TextObject[] }
  | { readonly type: 'context'; readonly elements: readonly TextObject[] };

export interface SlackMessage {
  /** The fallback: shown in notifications and by clients that cannot draw blocks. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** A Block Kit message: a header, the event's message, the promotion's state, and a link when known. */
export function slackMessage(n: Notification, link?: string): SlackMessage {
  const weights = `blue ${n.blue}% / green ${n.green}%`;
  const field = (label: string, value: string): TextObject => ({
    type: 'mrkdwn',
    text: `*${label}*\n${mrkdwn(value)}`,
  });
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: cut(`${icon(n.type)} ${n.platform}: ${title(n.type)}`, 150),
        emoji: true,
      },
    },
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

/** "rollback.weights-set" → "Rollback weights set". */
function title(type: string): string {
  const words = type.replace(/[.-]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function icon(type: string): string {
  if (/failed|error/.test(type)) return ':x:';
  if (type.startsWith('rollback.')) return ':rewind:';
  if (/succeeded|finished/.test(type)) return ':white_check_mark:';
  if (type === 'gate.opened' || type === 'promotion.paused') return ':raised_hand:';
  return ':large_blue_circle:';
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
