import type { PromotionPlan } from '../../../src/domain/plan.js';
import { type NewEvent, newPromotion, type Promotion } from '../../../src/domain/promotion.js';
import { greenPercent } from '../../../src/domain/weights.js';
import type { EventType } from '../../../src/domain/words.js';

/**
 * The clock every store under the contract must be opened with, so the suite can check that the store
 * stamps `updatedAt` and event times itself.
 */
export const storeNow = new Date('2031-03-04T05:06:07.000Z');

export const plan: PromotionPlan = {
  ttlSeconds: 60,
  steps: [
    { green: greenPercent(10), bakeMs: 300_000, approval: false },
    { green: greenPercent(50), bakeMs: 600_000, approval: true },
    { green: greenPercent(100), bakeMs: 600_000, approval: false },
  ],
  rollback: {
    mode: 'stepped',
    green: 'keep',
    drainDelayMs: 900_000,
    automatic: true,
    steps: [50, 10],
    stepBakeMs: 120_000,
  },
  retry: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  stageTimeoutsMs: { provision: 3_600_000, 'qualify-services': 1_800_000 },
  pollIntervalMs: 15_000,
};

export interface PromotionFixture {
  readonly id?: string;
  readonly platform?: string;
  /** ISO instant; promotions in one test usually need distinct ones to have a defined order. */
  readonly createdAt?: string;
}

/** A freshly started promotion (phase running, version 0) as the engine would hand it to `create`. */
export function aPromotion(fixture: PromotionFixture = {}): Promotion {
  const platform = fixture.platform ?? 'payments';
  return newPromotion(
    {
      id: fixture.id ?? 'p-1',
      platform,
      fromVersion: '1.30',
      toVersion: '1.31',
      blue: { name: `${platform}-blue`, slot: 'a' },
      green: { name: `${platform}-green`, slot: 'b', adopted: false },
      plan,
      createdBy: 'alice',
    },
    new Date(fixture.createdAt ?? '2031-01-01T00:00:00.000Z'),
  );
}

export function anEvent(type: string, data?: Record<string, unknown>): NewEvent {
  // The store keeps whatever type it is given; these tests use made-up ones.
  const event = { type: type as EventType, message: `${type} happened`, actor: 'alice' };
  return data === undefined ? event : { ...event, data };
}

/** The same promotion in a finished phase, ready to be written with `update`. */
export function finished(promotion: Promotion): Promotion {
  return { ...promotion, phase: 'succeeded', finishedAt: storeNow.toISOString() };
}
