/**
 * The CLI as a function: `run(argv, io)` parses, runs one command and returns the exit code, never
 * calling process.exit, so tests run it in process and main.ts only wires the real process to it.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../version.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerCompletion } from './commands/completion.js';
import { registerFleet } from './commands/fleet.js';
import { registerGates } from './commands/gates.js';
import { registerPlatforms } from './commands/platforms.js';
import { registerPromote } from './commands/promote.js';
import { registerRollback } from './commands/rollback.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerTraffic } from './commands/traffic.js';
import { addConnectionOptions, type Cli, type Io } from './context.js';
import { describeFailure, ExitCode, exitCodeHelp } from './errors.js';

export type { Io } from './context.js';

const settingsHelp = `Server and token come from --server/--token, then SWITCHYARD_URL/SWITCHYARD_TOKEN,
then the config file (--config, default ~/.config/switchyard/cli.yaml; keys server, token);
the server defaults to http://127.0.0.1:8080.

Examples:
  # what the controller manages, and what is in progress
  $ switchyard platforms
  $ switchyard status
  # upgrade shop to Kubernetes 1.35 and follow it; roll it back with one command
  $ switchyard promote shop --to 1.35 --watch
  $ switchyard rollback shop --reason "error rate up"
  # upgrade a fleet in stages (dev, then prod) and follow it
  $ switchyard fleet start --strategy standard --target 1.35 --watch
  # every command has its own examples
  $ switchyard promote --help
  # complete commands and options in bash (zsh: switchyard completion zsh)
  $ source <(switchyard completion bash)`;

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const cli: Cli = { io, exitCode: ExitCode.ok };
  const program = createProgram(cli);

  let action = 'switchyard';
  program.hook('preAction', (_program, command) => {
    action = command.name();
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    // Commander has already printed its message (help, version, or the usage error).
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    const { exitCode, line } = describeFailure(action, error, cli.settings);
    io.stderr.write(`switchyard: ${line}\n`);
    return exitCode;
  }
}

/** The whole command tree; `run` parses with it, and completion scripts are written from it. */
export function createProgram(cli: Cli): Command {
  const { io } = cli;
  const version = packageVersion();
  const program = new Command('switchyard')
    .description('Blue-green EKS upgrades: start, follow, steer and roll back promotions.')
    .version(version, '-V, --version')
    // Program options only before the command name, so `serve --config` stays serve's own option.
    .enablePositionalOptions()
    // Settings here are inherited by every command created below.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`switchyard: ${text.replace(/^error: /, '')}`),
    })
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', `\n${settingsHelp}`)
    .addHelpText('afterAll', `\n${exitCodeHelp}\n`);
  addConnectionOptions(program);
  for (const register of [
    registerPromote,
    registerStatus,
    registerTraffic,
    registerRollback,
    registerGates,
    registerCleanup,
    registerPlatforms,
    registerFleet,
    registerServe,
  ]) {
    register(program, cli);
  }
  registerCompletion(program, cli, version);
  return program;
}
