/**
 * A FleetSurface in memory for API, CLI and dashboard tests: runs are records the test moves by hand
 * (`set`), the verbs change state the way the fleet layer's commands do, and refusals are the domain's
 * errors, so the routes' mapping to 400/404/409 is what is tested, not the fleet engine.
 */
import { InvalidInputError, InvalidTransitionError, NotFoundError } from '../../src/domain/errors.js';
import {
  type FleetMember,
  type FleetRun,
  type FleetStageState,
  type FleetStrategy,
  isFinishedRun,
  type Labels,
  memberPromotionId,
  resolveCount,
} from '../../src/domain/fleet.js';
import type { FleetPlan, FleetRunRequest, FleetSurface } from '../../src/fleet/surface.js';

export const standardStrategy: FleetStrategy = {
  name: 'standard',
  stages: [
    {
      name: 'dev',
      selector: { env: 'dev' },
      maxConcurrency: '100%',
      maxFailures: 0,
      memberSoakMs: 60_000,
      after: [],
      onFailure: 'halt',
    },
    {
      name: 'prod',
      selector: { env: 'prod' },
      maxConcurrency: '50%',
      maxFailures: 1,
      memberSoakMs: 300_000,
      after: [{ kind: 'approval' }],
      onFailure: 'rollback-in-flight',
      orderBy: 'tier',
    },
  ],
  windows: [{ kind: 'deny', days: ['sat', 'sun'], startMinute: 0, endMinute: 1440 }],
  memberStartDeadlineMs: 1_800_000,
};

export const fleetPlatforms: readonly { name: string; labels: Labels }[] = [
  { name: 'dev-1', labels: { env: 'dev' } },
  { name: 'dev-2', labels: { env: 'dev' } },
  { name: 'prod-a', labels: { env: 'prod', tier: '1' } },
  { name: 'prod-b', labels: { env: 'prod', tier: '2' } },
  { name: 'lab', labels: {} },
];

export interface FakeFleetSurface extends FleetSurface {
  /** Replaces a stored run (a test moves members and stages by hand). */
  set(run: FleetRun): void;
  /** The verbs called, in order: "pause r-1 by operator-user: why". */
  readonly calls: string[];
}

export function fakeFleetSurface(
  options: { strategies?: readonly FleetStrategy[]; now?: () => Date } = {},
): FakeFleetSurface {
  const strategies = options.strategies ?? [standardStrategy];
  const now = () => (options.now ?? (() => new Date('2026-11-27T09:00:00Z')))().toISOString();
  const runs = new Map<string, FleetRun>();
  const calls: string[] = [];
  let next = 1;

  const strategyOf = (given: FleetRunRequest['strategy']): FleetStrategy => {
    if (typeof given !== 'string') return given;
    const found = strategies.find((s) => s.name === given);
    if (found === undefined) throw new InvalidInputError('strategy', `no fleet strategy "${given}"`);
    return found;
  };
  const membersOf = (strategy: FleetStrategy) =>
    strategy.stages.map((stage) => ({
      stage,
      platforms: fleetPlatforms.filter((p) =>
        Object.entries(stage.selector).every(([key, value]) => p.labels[key] === value),
      ),
    }));
  const stored = (id: string): FleetRun => {
    const run = runs.get(id);
    if (run === undefined) throw new NotFoundError('fleet run', id);
    return run;
  };
  const write = (run: FleetRun, changes: Partial<FleetRun>): FleetRun => {
    const updated = { ...run, ...changes, version: run.version + 1, updatedAt: now() };
    runs.set(run.id, updated);
    return updated;
  };
  const refuse = (run: FleetRun, action: string, unless: boolean) => {
    if (!unless) throw new InvalidTransitionError(run.id, action, `the run is ${run.state}`);
  };
  const stopping = (run: FleetRun, as: 'stopped' | 'aborted', reason: string) => {
    refuse(run, as === 'stopped' ? 'stop' : 'abort', !isFinishedRun(run) && run.state !== 'stopping');
    const members = run.members.map(
      (m): FleetMember =>
        m.state === 'pending'
          ? { ...m, state: 'skipped', message: `run ${as}` }
          : as === 'aborted' && (m.state === 'promoting' || m.state === 'soaking')
            ? { ...m, rollbackRequested: true }
            : m,
    );
    return write(run, { state: 'stopping', stoppingAs: as, reason, members });
  };

  return {
    calls,
    set: (run) => runs.set(run.id, run),
    strategies: async () => strategies,
    async plan(request): Promise<FleetPlan> {
      const strategy = strategyOf(request.strategy);
      const stages = membersOf(strategy);
      const selected = new Set(stages.flatMap((s) => s.platforms.map((p) => p.name)));
      return {
        strategy,
        targetVersion: request.targetVersion,
        stages: stages.map(({ stage, platforms }) => ({
          name: stage.name,
          concurrency: resolveCount(stage.maxConcurrency, platforms.length),
          failureBudget: resolveCount(stage.maxFailures, platforms.length),
          members: platforms.map((p, order) => ({
            platform: p.name,
            labels: p.labels,
            order,
            blockers: p.name === 'prod-b' ? ['a promotion is already active: prod-b-p-9'] : [],
          })),
        })),
        unselected: fleetPlatforms.filter((p) => !selected.has(p.name)).map((p) => p.name),
      };
    },
    async start(request, by) {
      const strategy = strategyOf(request.strategy);
      const id = `fr-${next++}`;
      const at = now();
      const stages = membersOf(strategy);
      const run: FleetRun = {
        id,
        version: 1,
        strategy,
        targetVersion: request.targetVersion,
        state: 'running',
        stages: stages.map(({ stage, platforms }, index) => ({
          name: stage.name,
          state: index === 0 ? 'running' : 'pending',
          gates: stage.after.map((gate) => ({ gate })),
          failureBudget: resolveCount(stage.maxFailures, platforms.length),
          concurrency: resolveCount(stage.maxConcurrency, platforms.length),
          ...(index === 0 ? { startedAt: at } : {}),
        })),
        members: stages.flatMap(({ stage, platforms }) =>
          platforms.map((p, order) => ({
            platform: p.name,
            stage: stage.name,
            order,
            state: 'pending',
            attempts: 0,
          })),
        ),
        createdBy: by,
        createdAt: at,
        updatedAt: at,
      };
      runs.set(id, run);
      calls.push(`start ${id} by ${by}`);
      return run;
    },
    get: async (id) => runs.get(id),
    async list(filter = {}) {
      const all = [...runs.values()]
        .filter((run) => filter.state === undefined || run.state === filter.state)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
      const offset = filter.offset ?? 0;
      return all.slice(offset, offset + (filter.limit ?? 50));
    },
    async pause(id, by, reason) {
      const run = stored(id);
      refuse(run, 'pause', run.state === 'running');
      calls.push(`pause ${id} by ${by}: ${reason}`);
      return write(run, { state: 'paused', reason });
    },
    async resume(id, by) {
      const run = stored(id);
      refuse(run, 'resume', run.state === 'paused');
      calls.push(`resume ${id} by ${by}`);
      const { reason: _reason, ...rest } = run;
      return write(rest, { state: 'running' });
    },
    async stop(id, by, reason) {
      const updated = stopping(stored(id), 'stopped', reason);
      calls.push(`stop ${id} by ${by}: ${reason}`);
      return updated;
    },
    async abort(id, by, reason) {
      const updated = stopping(stored(id), 'aborted', reason);
      calls.push(`abort ${id} by ${by}: ${reason}`);
      return updated;
    },
    async approve(id, stage, by) {
      const run = stored(id);
      const index = run.stages.findIndex((s) => s.name === stage);
      const target = run.stages[index];
      if (target === undefined) throw new NotFoundError(`stage of fleet run ${id}`, stage);
      // As the fleet layer: a stage is approved once it waits on its gates, never ahead of its evidence.
      if (target.state !== 'gated')
        throw new InvalidTransitionError(id, 'approve', `stage ${stage} is ${target.state}`);
      const gate = target.gates.find((g) => g.gate.kind === 'approval' && g.metAt === undefined);
      if (gate === undefined)
        throw new InvalidTransitionError(id, 'approve', `stage ${stage} has no approval waiting`);
      calls.push(`approve ${id} ${stage} by ${by}`);
      const gates = target.gates.map((g) => (g === gate ? { ...g, metAt: now(), by } : g));
      return write(run, { stages: run.stages.map((s, i) => (i === index ? { ...s, gates } : s)) });
    },
  };
}

/** The run with one stage in the given state (a test opens the gates of a stage this way). */
export function withStage(run: FleetRun | undefined, name: string, state: FleetStageState): FleetRun {
  if (run === undefined) throw new Error('no such fleet run');
  return { ...run, stages: run.stages.map((stage) => (stage.name === name ? { ...stage, state } : stage)) };
}

/** A run's members as a test wants them: `{ 'dev-1': 'soaking' }` (the promotion id set when started). */
export function withMembers(
  run: FleetRun | undefined,
  states: Record<string, FleetMember['state']>,
): FleetRun {
  if (run === undefined) throw new Error('no such fleet run');
  return {
    ...run,
    members: run.members.map((m) => {
      const state = states[m.platform];
      if (state === undefined) return m;
      return state === 'pending' ? m : { ...m, state, promotionId: memberPromotionId(run.id, m.platform) };
    }),
  };
}
