import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { fleetCreatedEvent, newFleetRun, stageMembers } from '../../../src/fleet/members.js';
import { stage, strategy, t0 } from './fleet-fixtures.js';

const fleet = [
  { name: 'prod-eu', labels: { env: 'prod', region: 'eu', wave: '10' } },
  { name: 'prod-us', labels: { env: 'prod', region: 'us', wave: '2' } },
  { name: 'prod-ap', labels: { env: 'prod', region: 'ap' } },
  { name: 'canary', labels: { env: 'prod', canary: 'true', wave: '1' } },
  { name: 'dev-b', labels: { env: 'dev' } },
  { name: 'dev-a', labels: { env: 'dev' } },
  { name: 'sandbox', labels: {} },
];

const waves = strategy([
  stage('dev', { maxConcurrency: '100%' }),
  stage('prod-canary', { selector: { env: 'prod', canary: 'true' } }),
  stage('prod', { selector: { env: 'prod', region: 'eu' }, orderBy: 'wave', maxConcurrency: '50%' }),
]);

describe('stage members', () => {
  it('selects by every selector label, orders by the orderBy label (numbers as numbers) then name', () => {
    const selection = stageMembers(
      strategy([
        stage('dev'),
        stage('prod', {
          selector: { env: 'prod' },
          orderBy: 'wave',
          maxConcurrency: '50%',
          maxFailures: '25%',
        }),
      ]),
      fleet,
    );
    expect(selection.stages.map((s) => [s.name, s.members.map((m) => m.platform)])).toEqual([
      ['dev', ['dev-a', 'dev-b']],
      // wave 1, 2, 10, then the platform without the label.
      ['prod', ['canary', 'prod-us', 'prod-eu', 'prod-ap']],
    ]);
    expect(selection.stages[1]).toMatchObject({ concurrency: 2, failureBudget: 1 });
    expect(selection.unselected).toEqual(['sandbox']);
  });

  it('a platform two stages select is an error naming both stages', () => {
    const overlapping = strategy([
      stage('canary', { selector: { canary: 'true' } }),
      stage('prod', { selector: { env: 'prod' } }),
    ]);
    expect(() => stageMembers(overlapping, fleet)).toThrow(InvalidInputError);
    expect(() => stageMembers(overlapping, fleet)).toThrow(
      /stages\[1\]\.selector: platform "canary" is selected by stage "canary" and by stage "prod"/,
    );
  });

  it('a new run freezes the strategy and members, with concurrency and budgets as numbers', () => {
    const run = newFleetRun(waves, fleet, '1.35', 'fleet-1', 'alice', t0);
    expect(run).toMatchObject({
      id: 'fleet-1',
      version: 0,
      state: 'running',
      targetVersion: '1.35',
      createdBy: 'alice',
      createdAt: t0.toISOString(),
      strategy: waves,
    });
    expect(run.stages.map((s) => [s.name, s.state, s.concurrency, s.failureBudget])).toEqual([
      ['dev', 'pending', 2, 0],
      ['prod-canary', 'pending', 1, 0],
      ['prod', 'pending', 1, 0],
    ]);
    expect(run.members).toEqual([
      { platform: 'dev-a', stage: 'dev', order: 0, state: 'pending', attempts: 0 },
      { platform: 'dev-b', stage: 'dev', order: 1, state: 'pending', attempts: 0 },
      { platform: 'canary', stage: 'prod-canary', order: 0, state: 'pending', attempts: 0 },
      { platform: 'prod-eu', stage: 'prod', order: 0, state: 'pending', attempts: 0 },
    ]);
    expect(fleetCreatedEvent(run).message).toBe(
      'fleet run of strategy test to 1.35: dev (2), prod-canary (1), prod (1)',
    );
  });
});
