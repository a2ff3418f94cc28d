/** The fleet verbs of the API client: runs of a strategy over many platforms (see /v1/fleet-runs). */
import type { z } from 'zod';
import type { fleetPlanSchema, fleetRunSchema } from '../api/fleet-schemas.js';
import type { Call } from './client.js';

export type FleetRun = z.output<typeof fleetRunSchema>;
export type FleetPlan = z.output<typeof fleetPlanSchema>;
export type FleetStrategy = FleetRun['strategy'];
export type FleetRunState = FleetRun['state'];

/** What start and plan send: a strategy's name or a whole strategy (the file format), and the version. */
export interface FleetRunBody {
  readonly strategy: string | Readonly<Record<string, unknown>>;
  readonly targetVersion: string;
}

export function fleetClient(call: Call) {
  const run = (runId: string) => `/v1/fleet-runs/${encodeURIComponent(runId)}`;
  return {
    strategies: () => call('GET', '/v1/fleet-strategies', (s) => s.fleetStrategyListSchema),
    plan: (body: FleetRunBody) => call('POST', '/v1/fleet-plans', (s) => s.fleetPlanSchema, body),
    start: (body: FleetRunBody) => call('POST', '/v1/fleet-runs', (s) => s.fleetRunSchema, body),
    list: (query: { state?: FleetRunState; limit?: number } = {}) => {
      const params = new URLSearchParams(
        Object.entries(query).flatMap(([k, v]): [string, string][] =>
          v === undefined ? [] : [[k, String(v)]],
        ),
      );
      return call('GET', `/v1/fleet-runs?${params}`, (s) => s.fleetRunListSchema);
    },
    get: (runId: string) => call('GET', run(runId), (s) => s.fleetRunSchema),
    pause: (runId: string, reason?: string) =>
      call('POST', `${run(runId)}/pause`, (s) => s.fleetRunSchema, reason ? { reason } : {}),
    resume: (runId: string) => call('POST', `${run(runId)}/resume`, (s) => s.fleetRunSchema),
    stop: (runId: string, reason: string) =>
      call('POST', `${run(runId)}/stop`, (s) => s.fleetRunSchema, { reason }),
    abort: (runId: string, reason: string) =>
      call('POST', `${run(runId)}/abort`, (s) => s.fleetRunSchema, { reason }),
    approve: (runId: string, stage: string) =>
      call('POST', `${run(runId)}/approve`, (s) => s.fleetRunSchema, { stage }),
  };
}
