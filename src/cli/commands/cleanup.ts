/** abandon and teardown: the ways out of a promotion that cannot finish, and of what it left behind. */
import type { Command } from 'commander';
import { addConnectionOptions, type Cli, session, userName } from '../context.js';
import { renderPromotion } from '../render.js';
import { promotionIdFor } from '../resolve.js';
import { addExamples } from './shared.js';

export function registerCleanup(program: Command, cli: Cli): void {
  const abandon = program
    .command('abandon')
    .description(
      'end a promotion that cannot finish (e.g. its blue cluster is gone) where it stands, without touching AWS (admin)',
    )
    .argument('<target>', 'promotion id, or platform name for its active promotion')
    .option('--reason <text>', 'why; recorded in the promotion and the audit log');
  addExamples(abandon, [
    ['abandon shop --reason "blue cluster deleted by hand"', "end shop's stuck promotion where it stands"],
    ['abandon p-1', 'the same, by promotion id'],
  ]);
  addConnectionOptions(abandon, true).action(
    async (target: string, flags: { reason?: string }, cmd: Command) => {
      const s = session(cli, cmd);
      const id = await promotionIdFor(s.client, target);
      const updated = await s.client.abandon(
        id,
        flags.reason ?? `abandoned from the CLI by ${userName(cli.io.env)}`,
      );
      const left = updated.stages[updated.currentStage]?.message ?? '';
      s.emit(
        updated,
        () =>
          `${id}: abandoned; Switchyard makes no further change in AWS for it (${left})\n\n${renderPromotion(updated)}`,
      );
    },
  );

  const teardown = program
    .command('teardown')
    .description(
      'delete the green cluster a finished promotion left behind (rolled back with green kept, or abandoned), so its slot is free again (admin)',
    )
    .argument('<promotion>', 'promotion id');
  addExamples(teardown, [
    ['teardown p-1', 'delete the green cluster rolled-back promotion p-1 kept'],
    ['status p-1 --watch', 'then follow the deletion'],
  ]);
  addConnectionOptions(teardown, true).action(async (id: string, _flags: unknown, cmd: Command) => {
    const s = session(cli, cmd);
    const updated = await s.client.teardown(id);
    s.emit(
      updated,
      () =>
        `${id}: tearing down green cluster ${updated.green.name} (follow it: switchyard status ${id} --watch)` +
        `\n\n${renderPromotion(updated)}`,
    );
  });
}
