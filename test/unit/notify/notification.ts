import type { Notification } from '../../../src/domain/ports.js';
import { greenPercent } from '../../../src/domain/weights.js';

/** A notification as the engine fills it; `overrides` change any field. */
export function notification(overrides: Partial<Notification> = {}): Notification {
  return {
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
