/** pause, resume, approve: each takes a promotion id or a platform name (its active promotion). */
import type { Command } from 'commander';
import type { ApiClient, Promotion } from '../client.js';
import { addConnectionOptions, type Cli, session } from '../context.js';
import { renderPromotion } from '../render.js';
import { promotionIdFor } from '../resolve.js';
import { addExamples } from './shared.js';

const target = ['<target>', 'promotion id, or platform name for its active promotion'] as const;

function act(
  cli: Cli,
  done: string,
  call: (client: ApiClient, id: string, flags: Record<string, string | undefined>) => Promise<Promotion>,
) {
  return async (targetArg: string, flags: Record<string, string | undefined>, cmd: Command) => {
    const s = session(cli, cmd);
    const id = await promotionIdFor(s.client, targetArg);
    const updated = await call(s.client, id, flags);
    s.emit(updated, () => `${id}: ${done}\n\n${renderPromotion(updated)}`);
  };
}

export function registerGates(program: Command, cli: Cli): void {
  const pause = program
    .command('pause')
    .description('pause automatic progress (traffic stays where it is)')
    .argument(...target)
    .option('--reason <text>', 'why; shown in status');
  addExamples(pause, [
    ['pause shop --reason "change freeze"', "hold shop's active promotion where it is"],
    ['pause p-1', 'the same, by promotion id'],
  ]);
  addConnectionOptions(pause, true).action(
    act(cli, 'paused', (client, id, flags) => client.pause(id, flags.reason)),
  );

  const resume = program
    .command('resume')
    .description('resume automatic progress')
    .argument(...target);
  addExamples(resume, [['resume shop', "let shop's paused promotion continue"]]);
  addConnectionOptions(resume, true).action(act(cli, 'resumed', (client, id) => client.resume(id)));

  const approve = program
    .command('approve')
    .description('approve an open gate (deleting blue, gate "decommission", needs an admin)')
    .argument(...target)
    .option('--gate <id>', 'the gate to approve; may be left out when only one is open');
  addExamples(approve, [
    ['approve shop', "approve the one open gate of shop's promotion (status shows it)"],
    ['approve p-1 --gate shift-traffic/3-to-50', 'approve a traffic step that waits for approval'],
    ['approve p-1 --gate decommission', 'as an admin: let the promotion delete blue'],
  ]);
  addConnectionOptions(approve, true).action(
    act(cli, 'approved', (client, id, flags) => client.approve(id, flags.gate)),
  );
}
