import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one controller process, on a registry of its own (no global state). */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    promotionsByPhase: new Gauge({
      name: 'switchyard_promotions',
      help: 'Promotions by phase',
      labelNames: ['phase'],
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'switchyard_stage_duration_seconds',
      help: 'Time from a stage start to its end',
      labelNames: ['stage', 'outcome'],
      buckets: [1, 10, 60, 300, 900, 1800, 3600, 7200],
      registers: [registry],
    }),
    greenWeight: new Gauge({
      name: 'switchyard_green_weight_percent',
      help: 'Percent of traffic on green, last verified at the router',
      labelNames: ['platform'],
      registers: [registry],
    }),
    rollbacks: new Counter({
      name: 'switchyard_rollbacks_total',
      help: 'Rollbacks requested, by who asked (a person or automatic)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    providerCalls: new Counter({
      name: 'switchyard_provider_calls_total',
      help: 'Calls to AWS and Kubernetes by operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'],
      registers: [registry],
    }),
    providerRetries: new Counter({
      name: 'switchyard_provider_retries_total',
      help: 'Retried attempts of provider calls by operation',
      labelNames: ['provider', 'operation'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'switchyard_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'switchyard_notifications_total',
      help: 'Notifications by target and outcome (sent, failed after retries, dropped from a full queue)',
      labelNames: ['notifier', 'outcome'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'switchyard_http_requests_total',
      help: 'API requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
