/** The stages of a promotion, in the order the reconciler runs them. */
export const stageNames = [
  'provision',
  'foundation',
  'qualify-foundation',
  'services',
  'qualify-services',
  'shift-traffic',
  'decommission',
] as const;

export type StageName = (typeof stageNames)[number];

/** interrupted: the stage was under way when a rollback or an abandon ended the promotion. */
export const stageStates = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'interrupted'] as const;
export type StageState = (typeof stageStates)[number];

/** One stage's progress inside a promotion record. Timestamps are set once and never moved. */
export interface StageStatus {
  readonly state: StageState;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly message: string;
  /** Failed attempts since the stage last made progress; drives retry backoff. */
  readonly attempts: number;
  /** What the stage saved for its next run (the stage contract's `status`), e.g. the traffic step it is on. */
  readonly saved?: unknown;
}

export function pendingStages(): Record<StageName, StageStatus> {
  return Object.fromEntries(
    stageNames.map((name) => [name, { state: 'pending', message: '', attempts: 0 }]),
  ) as Record<StageName, StageStatus>;
}

export function nextStage(after: StageName): StageName | undefined {
  return stageNames[stageNames.indexOf(after) + 1];
}
