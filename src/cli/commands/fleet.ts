/**
 * `switchyard fleet …`: runs of a fleet strategy, many platforms moved to a version in stages. Each verb
 * is one API call on /v1/fleet-runs; `status --watch` follows a run until it finishes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { addConnectionOptions, type Cli, session, userName } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import type { FleetRun, FleetRunBody } from '../fleet-client.js';
import {
  renderFleetPlan,
  renderFleetRun,
  renderFleetRunList,
  renderFleetStrategies,
} from '../fleet-render.js';
import { watchFleetRun } from '../fleet-watch.js';
import { addExamples } from './shared.js';

interface RunFlags {
  readonly strategy?: string;
  readonly strategyFile?: string;
  readonly target: string;
  readonly watch?: boolean;
}

/** --strategy <name> | --strategy-file <file>: one of them, and which strategy it names. */
function addStrategyOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--strategy <name>', 'fleet strategy (a file in the controller fleetsDir)').conflicts(
        'strategyFile',
      ),
    )
    .addOption(
      new Option(
        '--strategy-file <file>',
        'a strategy file of your own (YAML or JSON, the fleetsDir format), sent whole instead of a name',
      ).conflicts('strategy'),
    );
}

/** The strategy a request carries: its name, or the parsed contents of the file given. */
function strategyOf(flags: RunFlags): FleetRunBody['strategy'] {
  if (flags.strategy !== undefined) return flags.strategy;
  if (flags.strategyFile === undefined) {
    throw new CliError(
      ExitCode.usage,
      'name a strategy with --strategy <name> or give one with --strategy-file <file>',
    );
  }
  let text: string;
  try {
    text = readFileSync(flags.strategyFile, 'utf8');
  } catch (error) {
    throw new CliError(ExitCode.usage, `cannot read ${flags.strategyFile}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new CliError(
      ExitCode.usage,
      `${flags.strategyFile} is not YAML or JSON: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      ExitCode.usage,
      `${flags.strategyFile} does not hold a strategy (an object with name and stages)`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** The YAML parser, loaded only when a strategy file is given (JSON is YAML too). */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

const runArgument = ['<run>', 'fleet run id (fleet status lists them)'] as const;
const unfinished: readonly FleetRun['state'][] = ['running', 'paused', 'stopping'];

/** Seconds between reads of a watched run: a positive number (fractions allowed). */
function seconds(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || number <= 0)
    throw new InvalidArgumentError('must be a positive number of seconds');
  return number;
}

export function registerFleet(program: Command, cli: Cli): void {
  const fleet = program
    .command('fleet')
    .description('upgrade many platforms in stages: plan, start, follow and steer fleet runs');
  addExamples(fleet, [
    ['fleet strategies', 'the strategies the controller has'],
    ['fleet plan --strategy standard --target 1.35', 'stages, members in order, and what blocks each now'],
    ['fleet start --strategy standard --target 1.35 --watch', 'start a run and follow it to the end'],
    ['fleet status', 'the fleet runs not finished yet'],
    ['fleet status fr-1 --watch', 'follow one run: stages as rows, members and their states'],
    ['fleet approve fr-1 --stage prod', "meet the prod stage's approval gate"],
    ['fleet abort fr-1 --reason "errors in prod-canary"', 'stop and roll back the members in flight'],
  ]);

  const strategies = fleet
    .command('strategies')
    .description("the controller's fleet strategies and their stages");
  addExamples(strategies, [['fleet strategies', 'strategy names to give --strategy, with their stages']]);
  addConnectionOptions(strategies, true).action(async (_flags: unknown, cmd: Command) => {
    const s = session(cli, cmd);
    const result = await s.client.fleet.strategies();
    s.emit(result, () => renderFleetStrategies(result.items));
  });

  const plan = addStrategyOptions(
    fleet
      .command('plan')
      .description('dry run: which platforms each stage would take, in which order, and what blocks them'),
  ).requiredOption('--target <version>', 'target Kubernetes minor version, e.g. 1.35');
  addExamples(plan, [
    ['fleet plan --strategy standard --target 1.35', 'what a run would do now'],
    [
      'fleet plan --strategy-file config/fleets/standard.yaml --target 1.35',
      'try a strategy file before the controller has it',
    ],
  ]);
  addConnectionOptions(plan, true).action(async (flags: RunFlags, cmd: Command) => {
    const s = session(cli, cmd);
    const result = await s.client.fleet.plan({ strategy: strategyOf(flags), targetVersion: flags.target });
    s.emit(result, () => renderFleetPlan(result));
  });

  const start = addStrategyOptions(
    fleet.command('start').description('start a fleet run of a strategy toward a Kubernetes version'),
  )
    .requiredOption('--target <version>', 'target Kubernetes minor version, e.g. 1.35')
    .option('--watch', 'follow the run until it finishes (exit 0 succeeded, 1 otherwise)');
  addExamples(start, [
    ['fleet start --strategy standard --target 1.35', "start the run; prints the run's id"],
    ['fleet start --strategy standard --target 1.35 --watch', 'start it and follow it'],
  ]);
  addConnectionOptions(start, true).action(async (flags: RunFlags, cmd: Command) => {
    const s = session(cli, cmd);
    const run = await s.client.fleet.start({ strategy: strategyOf(flags), targetVersion: flags.target });
    const headline = `started fleet run ${run.id}: ${run.strategy.name} → ${run.targetVersion}, ${run.members.length} platforms`;
    if (flags.watch) {
      s.say(headline);
      cli.exitCode = await watchFleetRun(s, run.id);
      return;
    }
    s.emit(
      run,
      () => `${headline} (follow it: switchyard fleet status ${run.id} --watch)\n\n${renderFleetRun(run)}`,
    );
  });

  const status = fleet
    .command('status')
    .description('show a fleet run (stages, members, gates), or list the unfinished ones')
    .argument('[run]', 'fleet run id; none: every run not finished yet')
    .option('--watch', 'follow the run until it finishes (exit 0 succeeded, 1 otherwise)')
    .option('--interval <seconds>', 'seconds between reads while watching (default 2)', seconds);
  addExamples(status, [
    ['fleet status', 'the runs in progress'],
    ['fleet status fr-1', 'one run: a row per stage with its members'],
    ['fleet status fr-1 --watch', 'follow it until it finishes'],
  ]);
  addConnectionOptions(status, true).action(
    async (runId: string | undefined, flags: { watch?: boolean; interval?: number }, cmd: Command) => {
      if (runId === undefined && flags.watch)
        throw new CliError(ExitCode.usage, '--watch needs a fleet run id');
      const s = session(cli, cmd);
      if (runId === undefined) {
        // One query per unfinished state: exact, where "the newest N" could miss a run paused long ago.
        const pages = await Promise.all(
          unfinished.map((state) => s.client.fleet.list({ state, limit: 200 })),
        );
        const items = pages
          .flatMap((page) => page.items)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        s.emit({ items }, () => renderFleetRunList(items));
        return;
      }
      if (flags.watch) {
        const interval = flags.interval === undefined ? {} : { intervalMs: flags.interval * 1000 };
        cli.exitCode = await watchFleetRun(s, runId, interval);
        return;
      }
      const run = await s.client.fleet.get(runId);
      s.emit(run, () => renderFleetRun(run));
    },
  );

  /** A verb on one run: the call, then the run as it now stands. */
  const verb = (name: string, description: string, examples: readonly (readonly [string, string])[]) => {
    const command = fleet
      .command(name)
      .description(description)
      .argument(...runArgument);
    addExamples(command, examples);
    return command;
  };
  const act =
    (
      done: string,
      call: (s: ReturnType<typeof session>, id: string, flags: Record<string, string>) => Promise<FleetRun>,
    ) =>
    async (id: string, flags: Record<string, string>, cmd: Command) => {
      const s = session(cli, cmd);
      const run = await call(s, id, flags);
      s.emit(run, () => `${id}: ${done}\n\n${renderFleetRun(run)}`);
    };
  const byCli = () => `requested from the CLI by ${userName(cli.io.env)}`;

  const pause = verb('pause', 'pause a run: no new member starts; promotions in flight go on', [
    ['fleet pause fr-1 --reason "change freeze"', 'hold the run where it is'],
  ]).option('--reason <text>', 'why; shown in status');
  addConnectionOptions(pause, true).action(
    act('paused', (s, id, flags) => s.client.fleet.pause(id, flags.reason)),
  );

  const resume = verb('resume', 'resume a paused run', [['fleet resume fr-1', 'let the run go on']]);
  addConnectionOptions(resume, true).action(act('resumed', (s, id) => s.client.fleet.resume(id)));

  const stop = verb('stop', 'stop a run: no new member starts; it ends once the promotions in flight end', [
    ['fleet stop fr-1 --reason "enough for today"', 'start nothing more; let running promotions finish'],
  ]).option('--reason <text>', 'why; recorded in the run and the audit log');
  addConnectionOptions(stop, true).action(
    act('stopping', (s, id, flags) => s.client.fleet.stop(id, flags.reason ?? byCli())),
  );

  const abort = verb('abort', 'abort a run: as stop, and roll back every member still promoting or soaking', [
    ['fleet abort fr-1 --reason "errors in prod-canary"', 'stop the run and roll back the members in flight'],
  ]).option('--reason <text>', 'why; recorded in the run, its rollbacks and the audit log');
  addConnectionOptions(abort, true).action(
    act('aborting', (s, id, flags) => s.client.fleet.abort(id, flags.reason ?? byCli())),
  );

  const approve = verb('approve', "meet a stage's approval gate", [
    ['fleet approve fr-1 --stage prod', 'let the prod stage open once the earlier one is done'],
  ]).requiredOption('--stage <name>', 'the stage whose approval gate to meet');
  addConnectionOptions(approve, true).action(
    act('approved', (s, id, flags) => s.client.fleet.approve(id, flags.stage ?? '')),
  );
}
