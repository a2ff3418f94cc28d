/** completion: prints a bash or zsh completion script made from this program's own commands and options. */
import { Argument, type Command } from 'commander';
import { completionScript, type Shell, shells } from '../completion.js';
import type { Cli } from '../context.js';
import { addExamples } from './shared.js';

export function registerCompletion(program: Command, cli: Cli, version: string): void {
  const command = program
    .command('completion')
    .description('print a shell completion script (commands, options and their values) for bash or zsh')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(shells));
  addExamples(command, [
    ['completion bash > ~/.local/share/bash-completion/completions/switchyard', 'bash, every new shell'],
    [`completion zsh > "\${fpath[1]}/_switchyard"`, 'zsh, every new shell (after compinit)'],
  ]);
  command.action((shell: Shell) => {
    cli.io.stdout.write(completionScript(program, shell, version));
  });
}
