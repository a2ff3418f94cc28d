import { type Command, Option } from 'commander';
import { addConnectionOptions, type Cli, session, userName } from '../context.js';
import { renderPromotion } from '../render.js';
import { onPlatform } from '../resolve.js';
import { addExamples, addGreenOptions, type GreenFlags, greenChoice } from './shared.js';

interface RollbackFlags extends GreenFlags {
  readonly stepped?: boolean;
  readonly instant?: boolean;
  readonly reason?: string;
}

export function registerRollback(program: Command, cli: Cli): void {
  const command = program
    .command('rollback')
    .description("roll back a platform's active (or latest) promotion: traffic back to blue now")
    .argument('<platform>', 'platform name')
    .addOption(new Option('--stepped', 'move traffic back in steps, verifying each').conflicts('instant'))
    .addOption(new Option('--instant', 'move all traffic back in one change').conflicts('stepped'))
    .option('--reason <text>', 'why; recorded in the promotion and the audit log');
  addGreenOptions(command, 'after the rollback');
  addExamples(command, [
    ['rollback shop --reason "checkout errors up"', "send all of shop's traffic back to blue now"],
    ['rollback shop --stepped --keep-green', 'move traffic back in verified steps; keep green to inspect'],
    ['status shop --watch', 'then follow the rollback to its end'],
  ]);
  addConnectionOptions(command, true).action(async (platform: string, flags: RollbackFlags, cmd: Command) => {
    const s = session(cli, cmd);
    const mode = flags.stepped ? 'stepped' : flags.instant ? 'instant' : undefined;
    const updated = await onPlatform(s.client, platform, () =>
      s.client.rollback(platform, {
        reason: flags.reason ?? `requested from the CLI by ${userName(cli.io.env)}`,
        ...(mode ? { mode } : {}),
        ...greenChoice(flags),
      }),
    );
    s.emit(
      updated,
      () =>
        `${updated.id}: rolling back ${platform} to ${updated.blue.name} (follow it: switchyard status ${updated.id} --watch)` +
        `\n\n${renderPromotion(updated)}`,
    );
  });
}
