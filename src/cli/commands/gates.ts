/** pause, resume, approve: each takes a promotion id or a platform name (its active promotion). */
import type { Command } from 'commander';
import type { ApiClient, Promotion } from '../client.js';
import { addConnectionOptions, type Cli, session } from '../context.js';
import { renderPromotion } from '../render.js';
import { promotionIdFor } from '../resolve.js';

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
  addConnectionOptions(pause, true).action(
    act(cli, 'paused', (client, id, flags) => client.pause(id, flags.reason)),
  );

  const resume = program
    .command('resume')
    .description('resume automatic progress')
    .argument(...target);
  addConnectionOptions(resume, true).action(act(cli, 'resumed', (client, id) => client.resume(id)));

  const approve = program
    .command('approve')
    .description('approve an open gate (deleting blue, gate "decommission", needs an admin)')
    .argument(...target)
    .option('--gate <id>', 'the gate to approve; may be left out when only one is open');
  addConnectionOptions(approve, true).action(
    act(cli, 'approved', (client, id, flags) => client.approve(id, flags.gate)),
  );
}
