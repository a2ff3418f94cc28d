import type { FleetRun, FleetStrategy, NewFleetEvent } from '../../../src/domain/fleet.js';

export const strategy: FleetStrategy = {
  name: 'waves',
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
      maxConcurrency: 1,
      maxFailures: '50%',
      memberSoakMs: 600_000,
      after: [{ kind: 'approval' }, { kind: 'wait', ms: 3_600_000 }],
      onFailure: 'rollback-in-flight',
      orderBy: 'tier',
    },
  ],
  windows: [{ kind: 'deny', days: ['sat', 'sun'], startMinute: 0, endMinute: 1440 }],
  memberStartDeadlineMs: 1_800_000,
};

export interface FleetRunFixture {
  readonly id?: string;
  readonly state?: FleetRun['state'];
  /** ISO instant; runs in one test usually need distinct ones to have a defined order. */
  readonly createdAt?: string;
}

/** A run as the fleet layer hands it to `createRun` (version 0): two stages, three members. */
export function aFleetRun(fixture: FleetRunFixture = {}): FleetRun {
  const id = fixture.id ?? 'fr-1';
  const createdAt = fixture.createdAt ?? '2031-01-01T00:00:00.000Z';
  return {
    id,
    version: 0,
    strategy,
    targetVersion: '1.31',
    state: fixture.state ?? 'running',
    stages: [
      { name: 'dev', state: 'running', gates: [], startedAt: createdAt, failureBudget: 0, concurrency: 1 },
      {
        name: 'prod',
        state: 'pending',
        gates: [{ gate: { kind: 'approval' } }, { gate: { kind: 'wait', ms: 3_600_000 } }],
        failureBudget: 1,
        concurrency: 1,
      },
    ],
    members: [
      {
        platform: 'dev-a',
        stage: 'dev',
        order: 0,
        state: 'starting',
        promotionId: `dev-a-${id}`,
        firstAttemptAt: createdAt,
        attempts: 1,
      },
      { platform: 'prod-a', stage: 'prod', order: 0, state: 'pending', attempts: 0 },
      { platform: 'prod-b', stage: 'prod', order: 1, state: 'pending', attempts: 0 },
    ],
    createdBy: 'alice',
    createdAt,
    updatedAt: createdAt,
  };
}

export function aFleetEvent(type: NewFleetEvent['type'], data?: Record<string, unknown>): NewFleetEvent {
  const event = { type, message: `${type} happened`, actor: 'alice' };
  return data === undefined ? event : { ...event, data };
}
