import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { packageVersion } from './version.js';

/**
 * Prometheus metrics of one controller process, on a registry of its own, merged with the process's
 * own metrics (CPU, memory, event loop, GC: prom-client's defaults) and switchyard_build_info.
 */
export function createMetrics() {
  const own = new Registry();
  const registers = [own];
  const metrics = {
    promotionsByPhase: new Gauge({
      name: 'switchyard_promotions',
      help: 'Promotions by phase',
      labelNames: ['phase'],
      registers,
    }),
    stageDuration: new Histogram({
      name: 'switchyard_stage_duration_seconds',
      help: 'Time from a stage start to its end',
      labelNames: ['stage', 'outcome'],
      buckets: [1, 10, 60, 300, 900, 1800, 3600, 7200],
      registers,
    }),
    leader: new Gauge({
      name: 'switchyard_leader',
      help: '1 while this replica leads (drives promotions), else 0; always 1 with the sqlite store',
      registers,
    }),
    fleetRuns: new Gauge({
      name: 'switchyard_fleet_runs',
      help: 'Fleet runs this replica has seen, by state',
      labelNames: ['state'],
      registers,
    }),
    fleetMembers: new Gauge({
      name: 'switchyard_fleet_members',
      help: 'Members of unfinished fleet runs, by state (pending, starting, promoting, soaking, ...)',
      labelNames: ['state'],
      registers,
    }),
    greenWeight: new Gauge({
      name: 'switchyard_green_weight_percent',
      help: 'Percent of traffic on green, last verified at the router',
      labelNames: ['platform'],
      registers,
    }),
    rollbacks: new Counter({
      name: 'switchyard_rollbacks_total',
      help: 'Rollbacks requested, by who asked (a person or automatic)',
      labelNames: ['reason'],
      registers,
    }),
    providerCalls: new Counter({
      name: 'switchyard_provider_calls_total',
      help: 'Calls to AWS and Kubernetes by operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'],
      registers,
    }),
    providerRetries: new Counter({
      name: 'switchyard_provider_retries_total',
      help: 'Retried attempts of provider calls by operation',
      labelNames: ['provider', 'operation'],
      registers,
    }),
    // Beside reconcile durations, so a slow pass can be told apart from a slow provider.
    providerCallDuration: new Histogram({
      name: 'switchyard_provider_call_duration_seconds',
      help: 'Duration of AWS calls by provider, retries and their waits included',
      labelNames: ['provider'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'switchyard_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    notifications: new Counter({
      name: 'switchyard_notifications_total',
      help: 'Notifications by target and outcome (sent, failed after retries, dropped from a full queue)',
      labelNames: ['notifier', 'outcome'],
      registers,
    }),
    httpRequests: new Counter({
      name: 'switchyard_http_requests_total',
      help: 'API requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'switchyard_http_request_duration_seconds',
      help: 'API request duration, from the request arriving to the response sent, by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
  // merge copies the metrics registered so far: every one above.
  return { registry: Registry.merge([processRegistry(), own]), ...metrics };
}

let processMetrics: Registry | undefined;

/**
 * The process's metrics, collected once per process however many API instances (tests build many):
 * each collection starts event-loop and GC observers that are never stopped.
 */
function processRegistry(): Registry {
  if (processMetrics !== undefined) return processMetrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'switchyard_build_info',
    help: 'Always 1; the labels say which Switchyard and which Node.js run',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version: packageVersion(), node: process.version }, 1);
  processMetrics = registry;
  return registry;
}

export type Metrics = ReturnType<typeof createMetrics>;
