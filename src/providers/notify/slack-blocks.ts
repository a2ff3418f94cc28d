/** Block Kit pieces and text rules shared by the promotion and fleet Slack messages. */

export interface TextObject {
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

/** A header block; Slack refuses a header longer than 150 characters. */
export function header(text: string): SlackBlock {
  return { type: 'header', text: { type: 'plain_text', text: cut(text, 150), emoji: true } };
}

/** A labelled field of a section: the label bold, the value below it. */
export function field(label: string, value: string): TextObject {
  return { type: 'mrkdwn', text: `*${label}*\n${mrkdwn(value)}` };
}

/** "rollback.weights-set" → "Rollback weights set". */
export function title(type: string): string {
  const words = type.replace(/[.-]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
