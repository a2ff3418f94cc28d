import type { Command } from 'commander';
import type { Plan, Platform } from '../client.js';
import { addConnectionOptions, type Cli, session } from '../context.js';
import { table } from '../render.js';
import { onPlatform } from '../resolve.js';
import { addExamples } from './shared.js';

export function registerPlatforms(program: Command, cli: Cli): void {
  const list = program.command('platforms').description('list platforms and their active promotions');
  addExamples(list, [
    [
      'platforms',
      'each platform: router, live slot and cluster, next green, traffic steps, active promotion',
    ],
    ['platforms -o json', 'the same as one JSON document, for scripts'],
  ]);
  addConnectionOptions(list, true).action(async (_flags: unknown, cmd: Command) => {
    const s = session(cli, cmd);
    const platforms = await s.client.platforms();
    s.emit(platforms, () => renderPlatforms(platforms.items));
  });

  const plan = program
    .command('plan')
    .description('dry run: what promoting a platform would do; changes nothing')
    .argument('<platform>', 'platform name')
    .requiredOption('--to <version>', 'target Kubernetes minor version, e.g. 1.35');
  addExamples(plan, [
    ['plan shop --to 1.35', 'stages, add-on versions, removed APIs in use, and what would refuse it now'],
    ['plan shop --to 1.35 -o json', 'the same as JSON'],
  ]);
  addConnectionOptions(plan, true).action(async (platform: string, flags: { to: string }, cmd: Command) => {
    const s = session(cli, cmd);
    const result = await onPlatform(s.client, platform, () => s.client.plan(platform, flags.to));
    s.emit(result, () => renderPlan(result));
  });
}

function renderPlatforms(platforms: readonly Platform[]): string {
  const rows = platforms.map((p) => [
    p.name,
    p.router,
    `${p.live.slot}: ${p.live.cluster}${p.live.version ? ` (${p.live.version})` : ''}`,
    p.live.promotionId ?? 'config',
    `${p.green.slot}: ${p.green.cluster} (${p.green.mode})`,
    p.steps.map((step) => `${step.green}%${step.approval ? '*' : ''}`).join('→'),
    p.activePromotion ?? '-',
  ]);
  const header = ['NAME', 'ROUTER', 'LIVE', 'MADE LIVE BY', 'NEXT GREEN', 'STEPS', 'ACTIVE'];
  return [table([header, ...rows]), '(* waits for approval)'].join('\n');
}

function renderPlan(plan: Plan): string {
  const { removedApis } = plan;
  return [
    `${plan.platform}: ${plan.fromVersion} → ${plan.toVersion}`,
    `blue  slot ${plan.blue.slot}: ${plan.blue.cluster} (live); traffic: ${plan.targets.blue}`,
    `green slot ${plan.green.slot}: ${plan.green.cluster} (${plan.green.mode}); traffic: ${plan.targets.green}`,
    ...(plan.blockers.length === 0
      ? []
      : ['', 'a promotion would be refused now:', ...plan.blockers.map((b) => `  - ${b}`)]),
    '',
    table([['STAGE', 'WOULD'], ...plan.stages.map((stage) => [stage.name, stage.action])]),
    '',
    table([['ADD-ON', 'VERSION'], ...Object.entries(plan.addons)]),
    '',
    `removed APIs: ${removedApis.verdict}`,
    ...removedApis.checks.map((check) => `  ${check.verdict.padEnd(12)} ${check.name}: ${check.evidence}`),
    ...removedApis.warnings.map((warning) => `  warning: ${warning}`),
  ].join('\n');
}
