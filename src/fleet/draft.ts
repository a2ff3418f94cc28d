import type { FleetMember, FleetRun, FleetStageRun, FleetStageSpec, NewFleetEvent } from '../domain/fleet.js';

/**
 * The run being decided on, changed in place by the steps of one `decide` call and turned back into a
 * record at the end. It collects the events, the members to start and the instants to wake up at, so
 * each step is a small function of (draft, now) instead of threading copies through every call.
 */
export class RunDraft {
  state: FleetRun['state'];
  reason: string | undefined;
  stoppingAs: FleetRun['stoppingAs'];
  finishedAt: string | undefined;
  readonly stages: FleetStageRun[];
  readonly members: FleetMember[];
  readonly events: NewFleetEvent[] = [];
  /** Platforms whose promotions the engine must create now (new starts and retries). */
  readonly start = new Set<string>();
  /** Instants (ms) at which something changes by the clock alone: soaks, waits, retries, windows. */
  readonly wakeAt: number[] = [];

  constructor(
    readonly original: FleetRun,
    readonly now: Date,
  ) {
    this.state = original.state;
    this.reason = original.reason;
    this.stoppingAs = original.stoppingAs;
    this.finishedAt = original.finishedAt;
    this.stages = [...original.stages];
    this.members = [...original.members];
  }

  get at(): string {
    return this.now.toISOString();
  }

  spec(stage: string): FleetStageSpec {
    const spec = this.original.strategy.stages.find((candidate) => candidate.name === stage);
    if (spec === undefined) throw new Error(`fleet run ${this.original.id} has no stage spec "${stage}"`);
    return spec;
  }

  membersOf(stage: string): FleetMember[] {
    return this.members.filter((member) => member.stage === stage);
  }

  setMember(next: FleetMember): void {
    const index = this.members.findIndex((member) => member.platform === next.platform);
    this.members[index] = next;
  }

  setStage(index: number, next: FleetStageRun): void {
    this.stages[index] = next;
  }

  emit(event: Omit<NewFleetEvent, 'actor'> & { actor?: string }): void {
    this.events.push({ actor: 'controller', ...event });
  }

  /** The next record; the original itself when nothing changed, so a repeated decision writes nothing. */
  toRun(): FleetRun {
    const {
      reason: _reason,
      stoppingAs: _as,
      finishedAt: _finished,
      stages: _stages,
      members: _members,
      ...rest
    } = this.original;
    const next: FleetRun = {
      ...rest,
      state: this.state,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.stoppingAs === undefined ? {} : { stoppingAs: this.stoppingAs }),
      stages: this.stages,
      members: this.members,
      ...(this.finishedAt === undefined ? {} : { finishedAt: this.finishedAt }),
    };
    return this.changed() ? { ...next, updatedAt: this.at } : this.original;
  }

  /** Steps keep a member's or stage's object when they leave it as it was, so identity tells change. */
  private changed(): boolean {
    const original = this.original;
    return (
      this.events.length > 0 ||
      this.state !== original.state ||
      this.reason !== original.reason ||
      this.stoppingAs !== original.stoppingAs ||
      this.finishedAt !== original.finishedAt ||
      this.stages.some((stage, index) => stage !== original.stages[index]) ||
      this.members.some((member, index) => member !== original.members[index])
    );
  }
}
