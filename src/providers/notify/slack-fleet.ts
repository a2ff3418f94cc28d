import type { FleetNotification } from '../../domain/ports.js';
import { cut, field, header, mrkdwn, type SlackBlock, type SlackMessage } from './slack-blocks.js';

/**
 * A fleet run's event as a Block Kit message: a header naming the run and what happened (to which
 * stage or member), the event's message, the run's state, and the run's link when a fleet run link
 * template is configured. No promotion field appears: a fleet event has no weights or phase of its own.
 */
export function fleetSlackMessage(n: FleetNotification, link?: string): SlackMessage {
  const fields = [
    field('Platform', n.platform),
    field('Fleet run', n.runId),
    ...(n.stage === undefined ? [] : [field('Stage', `${n.stage.name} (${n.stage.state})`)]),
    ...(n.member === undefined ? [] : [field('Member', memberText(n.member))]),
    field('Run state', n.reason === undefined ? n.runState : `${n.runState}: ${n.reason}`),
    field('Upgrade', `to ${n.targetVersion} (strategy ${n.strategy})`),
    field('Triggered by', n.actor),
  ];
  const blocks: SlackBlock[] = [
    header(`${icon(n)} Fleet ${n.runId}: ${headline(n)}`),
    { type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwn(n.message), 3000) } },
    // A section holds at most 10 fields; these are 7 at most.
    { type: 'section', fields: fields.map((f) => ({ ...f, text: cut(f.text, 2000) })) },
  ];
  if (link !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${link}|Open fleet run ${mrkdwn(n.runId)}>` },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: mrkdwn(`${n.runId} · ${n.type} · ${n.at}`) }],
  });
  const text = `${n.platform} ${n.type}: ${n.message} (fleet run ${n.runId} to ${n.targetVersion}, by ${n.actor})${link === undefined ? '' : ` ${link}`}`;
  return { text: cut(text, 3000), blocks };
}

/** What happened, in a few words: "stage prod failed", "member shop-eu failed", "run stopped". */
function headline(n: FleetNotification): string {
  if (n.type === 'fleet.member.failed' && n.member !== undefined) {
    return `${n.member.platform} failed${n.stage === undefined ? '' : ` in stage ${n.stage.name}`}`;
  }
  if (n.type === 'fleet.stage.started' && n.stage !== undefined) return `stage ${n.stage.name} started`;
  if (n.type === 'fleet.stage.awaiting-approval' && n.stage !== undefined) {
    return `stage ${n.stage.name} awaits approval`;
  }
  if (n.type === 'fleet.stage.finished' && n.stage !== undefined) {
    return `stage ${n.stage.name} ${n.stage.state}`;
  }
  if (n.type === 'fleet.finished') return `run ${n.runState}`;
  return n.type;
}

function icon(n: FleetNotification): string {
  if (n.type === 'fleet.stage.awaiting-approval') return ':raised_hand:';
  const outcome = n.type === 'fleet.finished' ? n.runState : (n.member?.state ?? n.stage?.state);
  if (outcome === 'failed') return ':x:';
  if (outcome === 'aborted') return ':rewind:';
  if (outcome === 'stopped') return ':octagonal_sign:';
  if (outcome === 'succeeded') return ':white_check_mark:';
  return ':large_blue_circle:';
}

function memberText(member: NonNullable<FleetNotification['member']>): string {
  const promotion = member.promotionId === undefined ? '' : `, promotion ${member.promotionId}`;
  return `${member.platform} (${member.state}${promotion})`;
}
