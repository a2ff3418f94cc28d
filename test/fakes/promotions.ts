import type { PromotionPlan, RollbackPolicy } from '../../src/domain/plan.js';
import type { NewPromotion } from '../../src/domain/promotion.js';
import { greenPercent } from '../../src/domain/weights.js';

/** A plan with the shape of the example platform: 1 → 10 → 50 (approval) → 100, 60 s TTL. */
export function testPlan(
  overrides: { rollback?: Partial<RollbackPolicy>; approvalAt?: number[] } = {},
): PromotionPlan {
  const approvalAt = new Set(overrides.approvalAt ?? []);
  return {
    ttlSeconds: 60,
    steps: [1, 10, 50, 100].map((g) => ({
      green: greenPercent(g),
      bakeMs: 60_000,
      approval: approvalAt.has(g),
    })),
    rollback: {
      mode: 'instant',
      green: 'teardown',
      drainDelayMs: 300_000,
      automatic: true,
      steps: [50, 10],
      stepBakeMs: 60_000,
      ...overrides.rollback,
    },
    retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 },
    stageTimeoutsMs: {},
    pollIntervalMs: 5_000,
  };
}

export function testPromotion(id = 'p-1', plan = testPlan()): NewPromotion {
  return {
    id,
    platform: 'shop',
    fromVersion: '1.34',
    toVersion: '1.35',
    blue: { name: 'shop-blue', slot: 'a' },
    green: { name: 'shop-green', slot: 'b', adopted: false },
    plan,
    createdBy: 'alice',
  };
}
