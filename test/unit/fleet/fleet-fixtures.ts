import type { FleetRun, FleetStageSpec, FleetStrategy, Labels } from '../../../src/domain/fleet.js';
import type { PromotionPhase } from '../../../src/domain/promotion.js';
import type { StageName } from '../../../src/domain/stages.js';
import {
  type DecideOptions,
  decide,
  type FleetDecision,
  type MemberObservation,
} from '../../../src/fleet/decide.js';
import { newFleetRun } from '../../../src/fleet/members.js';

export const t0 = new Date('2026-11-25T10:00:00.000Z'); // a Wednesday
export const minute = 60_000;
export const options: DecideOptions = { pollMs: 5_000 };

export function stage(name: string, overrides: Partial<FleetStageSpec> = {}): FleetStageSpec {
  return {
    name,
    selector: { env: name },
    maxConcurrency: 1,
    maxFailures: 0,
    memberSoakMs: 0,
    after: [],
    onFailure: 'halt',
    ...overrides,
  };
}

export function strategy(
  stages: readonly FleetStageSpec[],
  overrides: Partial<FleetStrategy> = {},
): FleetStrategy {
  return { name: 'test', stages, windows: [], memberStartDeadlineMs: 30 * minute, ...overrides };
}

export function platforms(spec: Record<string, number>): { name: string; labels: Labels }[] {
  return Object.entries(spec).flatMap(([env, count]) =>
    Array.from({ length: count }, (_, i) => ({ name: `${env}-${i + 1}`, labels: { env } })),
  );
}

export function runOf(of: FleetStrategy, fleet: { name: string; labels: Labels }[], at = t0): FleetRun {
  return { ...newFleetRun(of, fleet, '1.35', 'run1', 'alice', at), version: 1 };
}

export function seen(
  phase: PromotionPhase,
  currentStage: StageName = 'shift-traffic',
  createdAt = t0.toISOString(),
): MemberObservation {
  return { phase, currentStage, createdAt };
}

export const atGate = (createdAt = t0.toISOString()) => seen('waiting-approval', 'decommission', createdAt);

/**
 * A fake world of promotions for timeline tests: the test says what each promotion shows; `step`
 * decides, "creates" the promotions the decision starts (created at the decision's time, running) and
 * asks for its rollbacks (rolling-back), as the engine would after storing the record.
 */
export class FleetWorld {
  readonly promotions = new Map<string, MemberObservation>();
  /** Each decision with what it was decided on: the clock and the promotions as they were. */
  readonly decisions: { at: Date; seen: ReadonlyMap<string, MemberObservation>; decision: FleetDecision }[] =
    [];
  readonly rollbacksAsked: string[] = [];
  /** Platforms whose promotion creation fails (unreachable), with the error. */
  readonly unreachable = new Map<string, string>();

  constructor(public run: FleetRun) {}

  /** Promotions created, by id. */
  readonly created = new Map<string, number>();
  /** Starts asked of members whose promotions the decision had seen (must stay empty). */
  readonly startsOfSeen: string[] = [];

  /**
   * One pass: decide, store, then act. With `crash` set, the controller dies after storing the
   * decision and before `crash.acts` of its actions (creates, then rollbacks) were done.
   */
  step(now: Date, crash?: { readonly acts: number }): FleetDecision {
    const observed = new Map(this.promotions);
    const decision = decide(this.run, observed, now, options);
    // Stored as the store would: a changed record gets the next version.
    this.run = decision.run === this.run ? this.run : { ...decision.run, version: decision.run.version + 1 };
    this.decisions.push({ at: now, seen: observed, decision });
    let acts = crash?.acts ?? Number.POSITIVE_INFINITY;
    for (const member of decision.start) {
      if (acts-- <= 0) return decision;
      const id = member.promotionId as string;
      // A decision must never ask to start a member whose promotion it saw: that would be a second start.
      if (observed.has(id)) this.startsOfSeen.push(id);
      if (!this.promotions.has(id)) {
        this.created.set(id, (this.created.get(id) ?? 0) + 1);
        this.promotions.set(id, seen('running', 'provision', now.toISOString()));
      }
    }
    for (const { promotionId } of decision.rollback) {
      if (acts-- <= 0) return decision;
      this.rollbacksAsked.push(promotionId);
      const current = this.promotions.get(promotionId);
      if (current) this.promotions.set(promotionId, { ...current, phase: 'rolling-back' });
    }
    return decision;
  }

  set(platform: string, observation: Partial<MemberObservation>): void {
    const id = `${platform}-${this.run.id}`;
    const current = this.promotions.get(id);
    if (current === undefined) throw new Error(`no promotion for ${platform}`);
    this.promotions.set(id, { ...current, ...observation });
  }

  member(platform: string) {
    const member = this.run.members.find((candidate) => candidate.platform === platform);
    if (member === undefined) throw new Error(`no member ${platform}`);
    return member;
  }

  stageState(name: string) {
    return this.run.stages.find((candidate) => candidate.name === name)?.state;
  }

  events() {
    return this.decisions.flatMap(({ decision }) => decision.events);
  }
}

export const later = (ms: number, from = t0) => new Date(from.getTime() + ms);
