import type { PromotionPlan } from './plan.js';
import type { SlotName } from './slots.js';
import { pendingStages, type StageName, type StageStatus } from './stages.js';
import { allBlue, type GreenPercent } from './weights.js';
import type { EventType, GreenPolicy, RollbackMode, RollbackStep } from './words.js';

/**
 * running: the reconciler drives stages. paused: a person paused it, a manual weight is in force, or a
 * failure waits for a decision. waiting-approval: a gate is open. rolling-back: the rollback executor
 * owns it. succeeded / rolled-back: finished. abandoned: an admin ended it where it stood, without
 * touching AWS, because it could not finish (e.g. its blue cluster disappeared).
 */
export const promotionPhases = [
  'running',
  'paused',
  'waiting-approval',
  'rolling-back',
  'succeeded',
  'rolled-back',
  'abandoned',
] as const;
export type PromotionPhase = (typeof promotionPhases)[number];

export const finishedPhases: ReadonlySet<PromotionPhase> = new Set(['succeeded', 'rolled-back', 'abandoned']);

/** A cluster as the ports see it; the slot, when known, says which slot's kubeconfig and target apply. */
export interface ClusterRef {
  readonly name: string;
  readonly slot?: SlotName;
}

/** A promotion's cluster: blue sits in the live slot, green in the other one. */
export interface SlotCluster extends ClusterRef {
  readonly slot: SlotName;
}

export interface GreenCluster extends SlotCluster {
  /** True when green already existed (built elsewhere, e.g. by Terraform) and is adopted, not created. */
  readonly adopted: boolean;
}

export interface WeightChange {
  readonly at: string;
  readonly green: GreenPercent;
  readonly reason: 'step' | 'manual' | 'rollback';
  readonly by: string;
}

/** A weight someone set by hand that is not yet applied and verified. */
export interface ManualChange {
  readonly green: GreenPercent;
  readonly by: string;
  readonly applied: boolean;
  readonly changeId?: string | undefined;
}

export interface TrafficState {
  /** The last weight verified at the router. */
  readonly green: GreenPercent;
  readonly manualChange?: ManualChange;
  /** True once a person set the weight by hand: automatic stepping stays paused until resume. */
  readonly manual: boolean;
  readonly history: readonly WeightChange[];
}

export interface Gate {
  readonly id: string;
  readonly stage: StageName;
  readonly reason: string;
  readonly openedAt: string;
  readonly approvedAt?: string;
  readonly approvedBy?: string;
}

export type { RollbackStep } from './words.js';

export interface RollbackState {
  readonly requestedAt: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly mode: RollbackMode;
  readonly green: GreenPolicy;
  readonly step: RollbackStep;
  /** Green percents still to pass through; the head is the current target. Ends with 0. */
  readonly path: readonly GreenPercent[];
  /** The router's id for the weight change being verified, when it gives one. */
  readonly changeId?: string | undefined;
  readonly bakeUntil?: string;
  /** Green may be torn down only after this instant (persisted before any teardown starts). */
  readonly drainDeadline?: string;
  readonly message: string;
  /** Failed attempts of the current step; drives backoff. A rollback never gives up. */
  readonly attempts?: number;
  readonly finishedAt?: string;
  /** Something the rollback could not do and will not retry (e.g. a green cluster it does not own). */
  readonly warning?: string;
  /** The phase it ends in: rolled-back, or abandoned again for a teardown asked of an abandoned promotion. */
  readonly finalPhase?: 'rolled-back' | 'abandoned';
}

export interface Promotion {
  readonly id: string;
  readonly platform: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly blue: SlotCluster;
  readonly green: GreenCluster;
  readonly phase: PromotionPhase;
  readonly pauseReason?: string;
  readonly currentStage: StageName;
  readonly stages: Readonly<Record<StageName, StageStatus>>;
  readonly traffic: TrafficState;
  readonly gates: readonly Gate[];
  readonly rollback?: RollbackState;
  readonly plan: PromotionPlan;
  /** When the reconciler should look at this promotion again (absent: as soon as it can). */
  readonly nextRunAt?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  /** Incremented by every stored write; a write based on an older version is rejected. */
  readonly version: number;
}

/** What starting a promotion takes; everything else begins at its initial value. */
export type NewPromotion = Pick<
  Promotion,
  'id' | 'platform' | 'fromVersion' | 'toVersion' | 'blue' | 'green' | 'plan' | 'createdBy'
>;

export function newPromotion(input: NewPromotion, now: Date): Promotion {
  const at = now.toISOString();
  return {
    ...input,
    phase: 'running',
    currentStage: 'provision',
    stages: pendingStages(),
    traffic: { green: allBlue, manual: false, history: [] },
    gates: [],
    createdAt: at,
    updatedAt: at,
    version: 0,
  };
}

export function isFinished(promotion: Pick<Promotion, 'phase'>): boolean {
  return finishedPhases.has(promotion.phase);
}

/** An event in a promotion's append-only log. */
export interface PromotionEvent {
  readonly seq: number;
  readonly promotionId: string;
  readonly at: string;
  /** One of eventTypes; a record written by a later version may hold one this version does not know. */
  readonly type: string;
  readonly message: string;
  readonly actor: string;
  readonly data?: Record<string, unknown>;
}

/** An event being written: its type is always one this version knows. */
export type NewEvent = Omit<PromotionEvent, 'seq' | 'promotionId' | 'at' | 'type'> & {
  readonly type: EventType;
};

export const decommissionGateId = 'decommission';

/** What the decommission stage saves. */
export interface DecommissionProgress {
  /** Set, and stored, before the first teardown call: from here on there is no way back to blue. */
  readonly tearingDown: boolean;
}

/** True once blue's teardown may have begun; rollback is refused from then on. */
export function blueTeardownStarted(promotion: Promotion): boolean {
  return (promotion.stages.decommission.saved as DecommissionProgress | undefined)?.tearingDown === true;
}
