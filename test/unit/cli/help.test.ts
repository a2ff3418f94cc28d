/**
 * Every command's --help ends with examples, and every example is a command line the CLI accepts: it
 * names a real command, uses only that command's options, and parses (no usage error). The examples
 * cannot drift from the code without this failing.
 */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/errors.js';
import { createProgram } from '../../../src/cli/run.js';
import { cli } from './helpers.js';

const program = createProgram({
  io: { stdout: { write: () => true }, stderr: { write: () => true }, env: {} },
  exitCode: 0,
});
const commands = program.commands.map((command) => command.name());
/** Every command line that has its own help: each command, and each subcommand (`fleet start`). */
const commandLines = program.commands.flatMap((command) => [
  [command.name()],
  ...command.commands.map((sub) => [command.name(), sub.name()]),
]);

/** A fetch that always fails to connect: an example that parses ends in exit 1, never 2. */
const refused = (async () => {
  throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
}) as unknown as typeof fetch;

/** The `$ switchyard …` lines of a help text, as argv (double quotes grouped; stops at a redirection). */
function examples(help: string): string[][] {
  return help
    .split('\n')
    .filter((line) => line.trimStart().startsWith('$ switchyard '))
    .map((line) => {
      const words = [
        ...line
          .trim()
          .slice('$ switchyard '.length)
          .matchAll(/"([^"]*)"|(\S+)/g),
      ].map((match) => match[1] ?? match[2] ?? '');
      const redirect = words.indexOf('>');
      return redirect === -1 ? words : words.slice(0, redirect);
    });
}

/** Every spelling of every option the command of `argv` takes (a subcommand's when it names one), and the program's. */
function optionsOf(argv: readonly string[]): Set<string> {
  const command = program.commands.find((c) => c.name() === argv[0]);
  const sub = command?.commands.find((c) => c.name() === argv[1]);
  return new Set(
    [...((sub ?? command)?.options ?? []), ...program.options]
      .flatMap((o) => [o.short, o.long])
      .filter((flag) => flag !== undefined)
      .concat('-h', '--help'),
  );
}

describe('--help', () => {
  it.each(commandLines.map((line) => line.join(' ')))('of %s ends with examples', async (line) => {
    const { code, stdout } = await cli([...line.split(' '), '--help'], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nExamples:\n {2}# .+\n {2}\$ switchyard /);
    expect(examples(stdout).length).toBeGreaterThan(0);
  });

  it('of the program has examples too, after the settings', async () => {
    const { stdout } = await cli(['--help'], {});
    expect(stdout).toMatch(/defaults to http:\/\/127\.0\.0\.1:8080\.\n\nExamples:\n/);
    expect(examples(stdout).map((argv) => argv[0])).toContain('promote');
  });

  it('shows examples that name a real command and only its options', async () => {
    const helps = await Promise.all([[], ...commandLines].map((argv) => cli([...argv, '--help'], {})));
    const all = helps.flatMap((help) => examples(help.stdout));
    expect(all.length).toBeGreaterThan(commands.length);
    for (const argv of all) {
      const [name = ''] = argv;
      expect(commands, argv.join(' ')).toContain(name);
      const known = optionsOf(argv);
      for (const word of argv.filter((w) => w.startsWith('-'))) {
        expect(known, `${argv.join(' ')}: ${word}`).toContain(word.split('=')[0]);
      }
    }
  });

  it('shows examples that parse: run against a server that refuses, each fails on the network, not on usage', async () => {
    const helps = await Promise.all(commandLines.map((line) => cli([...line, '--help'], {})));
    // serve would start a controller; completion only prints (exit 0).
    const runnable = helps.flatMap((help) => examples(help.stdout)).filter(([name]) => name !== 'serve');
    for (const argv of runnable) {
      const result = await cli(argv, { SWITCHYARD_URL: 'http://sy.test' }, { fetch: refused });
      expect(result.code, `${argv.join(' ')}\n${result.stderr}`).not.toBe(ExitCode.usage);
      expect([ExitCode.ok, ExitCode.failed], `${argv.join(' ')}\n${result.stderr}`).toContain(result.code);
    }
  });
});
