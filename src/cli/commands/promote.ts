import { type Command, Option } from 'commander';
import { addConnectionOptions, type Cli, session } from '../context.js';
import { renderPromotion } from '../render.js';
import { onPlatform } from '../resolve.js';
import { watch } from '../watch.js';
import { addExamples, addGreenOptions, type GreenFlags, greenChoice } from './shared.js';

interface PromoteFlags extends GreenFlags {
  readonly to: string;
  readonly rollbackMode?: 'instant' | 'stepped';
  readonly watch?: boolean;
}

export function registerPromote(program: Command, cli: Cli): void {
  const command = program
    .command('promote')
    .description('start a blue-green promotion of a platform to a Kubernetes version')
    .argument('<platform>', 'platform name, as in the controller config')
    .requiredOption('--to <version>', 'target Kubernetes minor version, e.g. 1.35')
    .addOption(
      new Option('--rollback-mode <mode>', 'how a rollback moves traffic back').choices([
        'instant',
        'stepped',
      ]),
    )
    .option('--watch', 'follow the promotion until it finishes (exit 0 succeeded, 1 rolled back)');
  addGreenOptions(command, 'on rollback');
  addExamples(command, [
    ['promote shop --to 1.35', "start upgrading shop to Kubernetes 1.35; prints the promotion's id"],
    ['promote shop --to 1.35 --watch', 'start it and follow it to the end (exit 1 if it rolls back)'],
    ['promote payments --to 1.35 --rollback-mode stepped --keep-green', 'choose how a rollback would go'],
    ['plan shop --to 1.35', 'first, see what it would do (changes nothing)'],
  ]);
  addConnectionOptions(command, true).action(async (platform: string, flags: PromoteFlags, cmd: Command) => {
    const s = session(cli, cmd);
    const rollback = { ...(flags.rollbackMode ? { mode: flags.rollbackMode } : {}), ...greenChoice(flags) };
    const created = await onPlatform(s.client, platform, () =>
      s.client.start({
        platform,
        targetVersion: flags.to,
        ...(Object.keys(rollback).length > 0 ? { options: { rollback } } : {}),
      }),
    );
    const headline = `started ${created.id}: ${platform} ${created.fromVersion} → ${created.toVersion}`;
    if (flags.watch) {
      s.say(headline);
      cli.exitCode = await watch(s, created.id);
      return;
    }
    s.emit(
      created,
      () => `${headline} (follow it: switchyard status ${created.id} --watch)\n\n${renderPromotion(created)}`,
    );
  });
}
