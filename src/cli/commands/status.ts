import type { Command } from 'commander';
import type { Phase } from '../client.js';
import { addConnectionOptions, type Cli, session } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { renderPromotion, renderPromotionList } from '../render.js';
import { promotionOrLatest } from '../resolve.js';
import { watch } from '../watch.js';
import { addExamples } from './shared.js';

const activePhases: readonly Phase[] = ['running', 'paused', 'waiting-approval', 'rolling-back'];

export function registerStatus(program: Command, cli: Cli): void {
  const command = program
    .command('status')
    .description('show a promotion (by id, or a platform name for its latest one), or list active promotions')
    .argument('[target]', 'promotion id or platform name; none: all active promotions')
    .option('--watch', 'follow the promotion until it finishes (exit 0 succeeded, 1 rolled back)');
  addExamples(command, [
    ['status', 'the promotions in progress, on every platform'],
    ['status shop', "shop's latest promotion: stages, traffic, open gates"],
    ['status p-1 --watch', 'follow a promotion event by event until it ends'],
    ['status shop -o json', 'the promotion with its events as JSON'],
  ]);
  addConnectionOptions(command, true).action(
    async (target: string | undefined, flags: { watch?: boolean }, cmd: Command) => {
      if (target === undefined && flags.watch) {
        throw new CliError(ExitCode.usage, '--watch needs a promotion id or a platform name');
      }
      const s = session(cli, cmd);
      if (target === undefined) {
        // One query per active phase: a filter on phase is exact, where "the newest N" could miss
        // a promotion paused long ago.
        const pages = await Promise.all(
          activePhases.map((phase) => s.client.listPromotions({ phase, limit: 200 })),
        );
        const items = pages
          .flatMap((page) => page.items)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        s.emit({ items }, () => renderPromotionList(items));
        return;
      }
      const promotion = await promotionOrLatest(s.client, target);
      if (flags.watch) {
        cli.exitCode = await watch(s, promotion.id);
        return;
      }
      s.emit(promotion, () => renderPromotion(promotion));
    },
  );
}
