import { InvalidInputError } from '../domain/errors.js';
import {
  type FleetMember,
  type FleetRun,
  type FleetStageRun,
  type FleetStrategy,
  type Labels,
  type NewFleetEvent,
  resolveCount,
} from '../domain/fleet.js';
import { naturalOrder } from '../domain/natural-order.js';

/** A platform as stage selection sees it: its name and the labels of its file. */
export interface LabelledPlatform {
  readonly name: string;
  readonly labels: Labels;
}

export interface SelectedMember {
  readonly platform: string;
  readonly labels: Labels;
  /** Start order within the stage (0 first). */
  readonly order: number;
}

export interface StageSelection {
  readonly name: string;
  /** maxConcurrency as a number of this stage's members. */
  readonly concurrency: number;
  /** maxFailures as a number of this stage's members. */
  readonly failureBudget: number;
  readonly members: readonly SelectedMember[];
}

export interface FleetSelection {
  readonly stages: readonly StageSelection[];
  /** Platforms no stage selects, by name: the plan shows them so a missing label is noticed. */
  readonly unselected: readonly string[];
}

function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Ascending orderBy label value (numbers compare as numbers: "2" before "10"), platforms without the
 * label after those with it, then by name, so the order never depends on how platforms were listed.
 */
function startOrder(orderBy: string | undefined) {
  return (a: LabelledPlatform, b: LabelledPlatform): number => {
    if (orderBy !== undefined) {
      const [x, y] = [a.labels[orderBy], b.labels[orderBy]];
      if (x !== y) {
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        const byLabel = naturalOrder(x, y);
        if (byLabel !== 0) return byLabel;
      }
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

/**
 * Which platforms each stage selects (every selector label matches), in start order. A platform two
 * stages select is an error naming both: which wave it belongs to must not depend on stage order.
 */
export function stageMembers(strategy: FleetStrategy, platforms: Iterable<LabelledPlatform>): FleetSelection {
  const all = [...platforms];
  const stageOf = new Map<string, string>();
  const stages = strategy.stages.map((stage, index) => {
    const selected = all.filter((platform) => matches(stage.selector, platform.labels));
    for (const platform of selected) {
      const earlier = stageOf.get(platform.name);
      if (earlier !== undefined) {
        throw new InvalidInputError(
          `stages[${index}].selector`,
          `platform "${platform.name}" is selected by stage "${earlier}" and by stage "${stage.name}"; ` +
            'a platform belongs to one stage: make the selectors exclusive (add a label to tell them apart)',
        );
      }
      stageOf.set(platform.name, stage.name);
    }
    const ordered = selected.sort(startOrder(stage.orderBy));
    return {
      name: stage.name,
      concurrency: resolveCount(stage.maxConcurrency, ordered.length),
      failureBudget: resolveCount(stage.maxFailures, ordered.length),
      members: ordered.map((platform, order) => ({
        platform: platform.name,
        labels: platform.labels,
        order,
      })),
    };
  });
  const unselected = all
    .filter((platform) => !stageOf.has(platform.name))
    .map((platform) => platform.name)
    .sort();
  return { stages, unselected };
}

/**
 * A new run of `strategy` toward `targetVersion`: the strategy and each stage's members frozen as they
 * are now (later label or strategy edits do not move a running fleet), budgets and concurrency as
 * numbers, every member pending. Version 0: the store gives it 1 when it creates it.
 */
export function newFleetRun(
  strategy: FleetStrategy,
  platforms: Iterable<LabelledPlatform>,
  targetVersion: string,
  id: string,
  by: string,
  now: Date,
): FleetRun {
  const selection = stageMembers(strategy, platforms);
  const at = now.toISOString();
  const members: FleetMember[] = selection.stages.flatMap((stage) =>
    stage.members.map((member) => ({
      platform: member.platform,
      stage: stage.name,
      order: member.order,
      state: 'pending' as const,
      attempts: 0,
    })),
  );
  return {
    id,
    version: 0,
    strategy,
    targetVersion,
    state: 'running',
    stages: selection.stages.map(
      (stage, index): FleetStageRun => ({
        name: stage.name,
        state: 'pending',
        gates: (strategy.stages[index]?.after ?? []).map((gate) => ({ gate })),
        failureBudget: stage.failureBudget,
        concurrency: stage.concurrency,
      }),
    ),
    members,
    createdBy: by,
    createdAt: at,
    updatedAt: at,
  };
}

/** The event a new run is stored with. */
export function fleetCreatedEvent(run: FleetRun): NewFleetEvent {
  const sizes = run.stages.map(
    (stage) => `${stage.name} (${run.members.filter((member) => member.stage === stage.name).length})`,
  );
  return {
    type: 'fleet.created',
    actor: run.createdBy,
    message: `fleet run of strategy ${run.strategy.name} to ${run.targetVersion}: ${sizes.join(', ')}`,
    data: { strategy: run.strategy.name, targetVersion: run.targetVersion, members: run.members.length },
  };
}
