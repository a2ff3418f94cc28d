/** Options and parsers more than one command uses. */
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Whole percent 0–100; anything else is a usage error (exit 2) before any request is made. */
export function percent(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) > 100) {
    throw new InvalidArgumentError('must be a whole number from 0 to 100');
  }
  return Number(value);
}

export interface GreenFlags {
  readonly teardownGreen?: boolean;
  readonly keepGreen?: boolean;
}

/** --teardown-green | --keep-green: what a rollback does with green; absent: the platform's policy. */
export function addGreenOptions(command: Command, when: string): Command {
  return command
    .addOption(new Option('--teardown-green', `${when}, delete the green cluster`).conflicts('keepGreen'))
    .addOption(
      new Option('--keep-green', `${when}, keep the green cluster for inspection`).conflicts('teardownGreen'),
    );
}

export function greenChoice(flags: GreenFlags): { green?: 'keep' | 'teardown' } {
  if (flags.teardownGreen) return { green: 'teardown' };
  if (flags.keepGreen) return { green: 'keep' };
  return {};
}

/**
 * `--help` ends with these examples: [command line without "switchyard", what it does]. Each line is
 * checked by a test to use only options the command has, so the examples cannot drift from the code.
 */
export function addExamples(command: Command, examples: readonly (readonly [string, string])[]): Command {
  const lines = examples.flatMap(([line, what]) => [`  # ${what}`, `  $ switchyard ${line}`]);
  return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
}
