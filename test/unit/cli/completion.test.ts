/**
 * `switchyard completion bash|zsh`: scripts written from the commander program, so they list every
 * command and option there is. The bash script is run in a real bash (what a user's TAB does); the zsh
 * script is syntax-checked when zsh is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeProgram } from '../../../src/cli/completion.js';
import { createProgram } from '../../../src/cli/run.js';
import { cli } from './helpers.js';

const program = createProgram({
  io: { stdout: { write: () => true }, stderr: { write: () => true }, env: {} },
  exitCode: 0,
});
const commands = program.commands;
const has = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;

async function script(shell: string): Promise<string> {
  const result = await cli(['completion', shell], {});
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
}

/** What bash offers for `line` (the cursor at its end), as a user's TAB would get it. */
function bashComplete(bash: string, line: string): string[] {
  const words = line.split(' ');
  const quoted = words.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  const run = `${bash}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _switchyard; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', run], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe.runIf(has('bash'))('bash completion', () => {
  it('offers every command, and every option of each command', async () => {
    const bash = await script('bash');
    expect(bashComplete(bash, 'switchyard ')).toEqual([...commands.map((c) => c.name()), 'help']);
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['abandon', 'teardown', 'completion']),
    );
    for (const command of commands) {
      const offered = bashComplete(bash, `switchyard ${command.name()} -`);
      const options = command.options.flatMap((o) => [o.short, o.long]).filter((n) => n !== undefined);
      expect(offered, command.name()).toEqual(expect.arrayContaining([...options, '--help']));
    }
  });

  it('completes words, option values and fixed arguments', async () => {
    const bash = await script('bash');
    expect(bashComplete(bash, 'switchyard pro')).toEqual(['promote']);
    expect(bashComplete(bash, 'switchyard t')).toEqual(['traffic', 'teardown']);
    expect(bashComplete(bash, 'switchyard --output json st')).toEqual(['status']);
    expect(bashComplete(bash, 'switchyard --output ')).toEqual(['human', 'json']);
    expect(bashComplete(bash, 'switchyard promote shop --rollback-mode ')).toEqual(['instant', 'stepped']);
    expect(bashComplete(bash, 'switchyard promote --ke')).toEqual(['--keep-green']);
    expect(bashComplete(bash, 'switchyard status shop -o j')).toEqual(['json']);
    expect(bashComplete(bash, 'switchyard completion ')).toEqual(['bash', 'zsh']);
    expect(bashComplete(bash, 'switchyard help te')).toEqual(['teardown']);
    // A command with subcommands completes them, then the options of any of them.
    expect(bashComplete(bash, 'switchyard fleet ')).toEqual([
      'strategies',
      'plan',
      'start',
      'status',
      'pause',
      'resume',
      'stop',
      'abort',
      'approve',
    ]);
    expect(bashComplete(bash, 'switchyard fleet start --st')).toEqual([
      '--strategy',
      '--strategy-file',
      '--stage',
    ]);
    expect(bashComplete(bash, 'switchyard fleet plan --strategy-file config/fleets/st')).toEqual([
      'config/fleets/standard.yaml',
    ]);
    expect(bashComplete(bash, 'switchyard fleet approve fr-1 --sta')).toEqual(['--stage']);
    // Free text (a platform name, a version) is the user's to type.
    expect(bashComplete(bash, 'switchyard promote shop --to ')).toEqual([]);
    expect(bashComplete(bash, 'switchyard serve --config src/cli/ma')).toEqual(['src/cli/main.ts']);
  });
});

describe('zsh completion', () => {
  it('describes every command and every option of each', async () => {
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef switchyard\n')).toBe(true);
    const spec = describeProgram(program);
    for (const command of spec.commands) {
      expect(zsh, command.name).toContain(`'${command.name}:`);
      if (command.name !== 'help') expect(zsh, command.name).toContain(`(${command.name})\n`);
      for (const option of command.options) {
        for (const name of option.names) expect(zsh, `${command.name} ${name}`).toContain(name);
      }
    }
    expect(zsh).toContain("'--rollback-mode[how a rollback moves traffic back]:mode:(instant stepped)'");
    expect(zsh).toContain("'1:the shell to complete in:(bash zsh)'");
  });

  it.runIf(has('zsh'))('is valid zsh', async () => {
    const zsh = await script('zsh');
    const check = spawnSync('zsh', ['-n'], { input: zsh, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('refuses a shell it does not write for, as a usage error', async () => {
    const result = await cli(['completion', 'fish'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/'fish' is invalid for argument 'shell'\. Allowed choices are bash, zsh/);
  });
});
