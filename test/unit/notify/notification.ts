import type { FleetNotification, PromotionNotification } from '../../../src/domain/ports.js';
import { greenPercent } from '../../../src/domain/weights.js';

/** A notification as the engine fills it; `overrides` change any field. */
export function notification(overrides: Partial<PromotionNotification> = {}): PromotionNotification {
  return {
    kind: 'promotion',
    promotionId: 'p-1',
    eventId: 'p-1-7.0',
    at: '2026-11-25T10:00:00.000Z',
    platform: 'shop',
    type: 'traffic.verified',
    message: '10% to green verified at the router',
    actor: 'switchyard',
    stage: 'shift-traffic',
    phase: 'running',
    green: greenPercent(10),
    blue: 90,
    fromVersion: '1.34',
    toVersion: '1.35',
    ...overrides,
  };
}

/** A fleet notification as src/fleet/fleet-notify.ts fills it (a failed stage, told to shop). */
export function fleetNotification(overrides: Partial<FleetNotification> = {}): FleetNotification {
  return {
    kind: 'fleet',
    runId: 'fleet-1',
    eventId: 'fleet-1-12.0',
    at: '2026-11-25T10:00:00.000Z',
    platform: 'shop',
    type: 'fleet.stage.finished',
    message:
      'stage prod-canary failed: 1 failed, over its budget of 0: shop (promotion shop-fleet-1 is rolled-back)',
    actor: 'controller',
    strategy: 'waves',
    targetVersion: '1.35',
    runState: 'stopping',
    reason: 'stage prod-canary failed; halted (onFailure halt)',
    stage: { name: 'prod-canary', state: 'failed' },
    ...overrides,
  };
}
