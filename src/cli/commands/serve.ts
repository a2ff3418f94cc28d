import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { runServer } from '../serve-entry.js';
import { addExamples } from './shared.js';

export function registerServe(program: Command, cli: Cli): void {
  const command = program
    .command('serve')
    .description('run the controller (REST API and reconciler) until SIGINT or SIGTERM')
    .option('--config <file>', 'controller config file', 'config/controller.yaml');
  addExamples(command, [
    ['serve', 'run with config/controller.yaml and the platforms next to it'],
    ['serve --config /etc/switchyard/controller.yaml', 'run with another config file'],
  ]);
  command.action(async (flags: { config: string }) => {
    await runServer({
      configFile: flags.config,
      env: cli.io.env,
      say: (line) => cli.io.stdout.write(`${line}\n`),
    });
  });
}
