/**
 * The human views: a promotion's stages, traffic, gates and rollback; lists as aligned tables.
 * Plain text and a few block characters, so it reads the same in a terminal, a CI log or a pager.
 */
import { probeLines } from '../analysis/probe-lines.js';
import { stageNames } from '../domain/stages.js';
import type { Promotion, PromotionDetail, PromotionEvent } from './client.js';

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

export function bar(green: number, width = 10): string {
  const filled = Math.round((green / 100) * width);
  return `green ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${green}%`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const clip = (text: string, max = 70) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const phaseWords: Record<Promotion['phase'], string> = {
  running: 'running',
  paused: 'paused',
  'waiting-approval': 'waiting for approval',
  'rolling-back': 'rolling back',
  succeeded: 'succeeded',
  'rolled-back': 'rolled back',
  abandoned: 'abandoned',
};

export function renderPromotion(p: Promotion | PromotionDetail, now = new Date()): string {
  const lines = [
    `${p.id}  ${p.platform} ${p.fromVersion} → ${p.toVersion}  ${phaseWords[p.phase]}` +
      (p.pauseReason && p.phase === 'paused' ? ` (${p.pauseReason})` : ''),
    `blue ${p.blue.name} (slot ${p.blue.slot}) → green ${p.green.name} (slot ${p.green.slot})${p.green.adopted ? ' (adopted)' : ''}`,
    '',
  ];
  const rows = [['STAGE', 'STATE', 'TIME', 'NOTE']];
  for (const name of stageNames) {
    const stage = p.stages[name];
    if (stage === undefined) continue;
    const started = stage.startedAt ? Date.parse(stage.startedAt) : undefined;
    // A stage left running by a rollback stopped the moment the promotion finished.
    const ended = Date.parse(stage.finishedAt ?? p.finishedAt ?? now.toISOString());
    const marker = name === p.currentStage && !p.finishedAt ? '▶ ' : '  ';
    rows.push([
      `${marker}${name}`,
      stage.state + (stage.attempts > 0 ? ` (${stage.attempts} failed tries)` : ''),
      started === undefined ? '' : duration(ended - started),
      clip(stage.message),
    ]);
  }
  lines.push(table(rows), '', `traffic   ${bar(p.traffic.green)}${trafficNote(p)}`);
  // What the traffic probe saw at each step, when the platform has one.
  lines.push(...probeLines(p.stages['shift-traffic']?.saved).map((line) => `probe     ${line}`));
  for (const gate of p.gates.filter((g) => g.approvedAt === undefined)) {
    const admin = gate.id === 'decommission' ? ' (needs an admin)' : '';
    lines.push(
      `gate      ${gate.id}: ${gate.reason}`,
      `          approve: switchyard approve ${p.id} --gate ${gate.id}${admin}`,
    );
  }
  if (p.rollback) {
    const r = p.rollback;
    const green = r.green === 'keep' ? 'keep green' : 'tear down green';
    lines.push(
      `rollback  ${r.mode}, ${green}; step ${r.step}: ${clip(r.message)}`,
      `          by ${r.requestedBy}: ${r.reason}`,
      ...(r.warning ? [`          warning: ${r.warning}`] : []),
    );
  }
  if ('events' in p && p.events.length > 0) {
    lines.push('', 'recent events:', ...p.events.slice(-5).map(eventLine));
  }
  return lines.join('\n');
}

function trafficNote(p: Promotion): string {
  const change = p.traffic.manualChange;
  if (change && !change.applied) return `  (manual ${change.green}% requested by ${change.by})`;
  return p.traffic.manual ? '  (set by hand; automatic stepping paused)' : '';
}

export function eventLine(event: PromotionEvent): string {
  return `${event.at}  ${event.type.padEnd(20)}  ${event.message}  [${event.actor}]`;
}

/** The closing line of a watch; mentions the outcome in words a log search finds. */
export function outcomeLine(p: Promotion): string {
  if (p.phase === 'succeeded')
    return `${p.id} succeeded: ${p.platform} runs ${p.toVersion} on ${p.green.name}`;
  if (p.phase === 'rolled-back') {
    const warning = p.rollback?.warning ? `; warning: ${p.rollback.warning}` : '';
    return `${p.id} rolled back: ${p.platform} is on ${p.blue.name} (${p.rollback?.reason ?? 'no reason recorded'})${warning}`;
  }
  if (p.phase === 'abandoned') {
    // A teardown asked of an abandoned promotion ends in this phase too; its message says what it did.
    const after = p.rollback?.finishedAt
      ? p.rollback.message
      : 'Switchyard makes no further change in AWS for it';
    return `${p.id} abandoned: ${after}`;
  }
  return `${p.id} is ${phaseWords[p.phase]}`;
}

export function renderPromotionList(items: readonly Promotion[]): string {
  if (items.length === 0) return 'no active promotions';
  return table([
    ['ID', 'PLATFORM', 'VERSION', 'PHASE', 'STAGE', 'GREEN', 'UPDATED'],
    ...items.map((p) => [
      p.id,
      p.platform,
      `${p.fromVersion} → ${p.toVersion}`,
      phaseWords[p.phase],
      p.currentStage,
      `${p.traffic.green}%`,
      p.updatedAt,
    ]),
  ]);
}
