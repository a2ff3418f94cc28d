import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/schema.js';
import type { Notifier, PlatformProviders, ServiceDeployer } from '../domain/ports.js';
import type { TrafficProbes } from '../domain/probe.js';
import type { PromotionRoles } from '../domain/slots.js';
import type { Metrics } from '../metrics.js';
import type { AwsClients } from '../providers/aws/clients.js';
import { createEksProvisioner } from '../providers/aws/eks.js';
import type { EksCatalogCache } from '../providers/aws/eks-catalog.js';
import type { KeyedSerializer } from '../providers/aws/serial.js';
import { scanRemovedApis } from '../providers/kubernetes/deprecations/scan.js';
import { createClusterHealth } from '../providers/kubernetes/health/index.js';
import { defaultEksFoundation } from '../providers/kubernetes/health/spec.js';
import { createCloudWatchMetrics } from '../providers/metrics/cloudwatch.js';
import { createHttpProbe } from '../providers/metrics/http-probe.js';
import { routeMetricQueries } from '../providers/metrics/index.js';
import { createPrometheusMetrics } from '../providers/metrics/prometheus.js';
import { notifierFromConfig } from '../providers/notify/index.js';
import { routerFor } from '../routers/registry.js';
import type { clusterAccess } from './cluster-access.js';

export interface ProviderContext {
  readonly aws: AwsClients;
  /** One per process: no two weight changes to one hosted zone or listener ever interleave. */
  readonly serializer: KeyedSerializer;
  /** One per process: EKS's catalog answers (add-on and Kubernetes versions), shared by every platform. */
  readonly eksCatalog?: EksCatalogCache;
  readonly access: ReturnType<typeof clusterAccess>;
  readonly services: ServiceDeployer;
  readonly log: Logger;
  /** Counts notification outcomes (switchyard_notifications_total). */
  readonly notificationMetrics?: Pick<Metrics, 'notifications'>;
  /** One per process: the traffic probes of every promotion's current step. */
  readonly probes?: TrafficProbes;
}

/** Blue's and green's cluster in one promotion (or, between promotions, the live one and the other). */
export type ProviderRoles = PromotionRoles;

/**
 * A platform's providers for a role assignment, and its notifier on its own: the fleet layer tells a
 * platform's team of its waves without a promotion (and so without roles), through the same queues.
 */
export type PlatformProvidersFor = ((roles: ProviderRoles) => PlatformProviders) & {
  readonly notifier: Notifier;
};

/**
 * Everything one platform's promotions need, built from its config. The router and the provisioner
 * depend on which slot is blue, so they are built per role assignment (and kept: they hold no state
 * beyond their configuration); health, services, metrics and notifications are the platform's.
 */
export function platformProviders(platform: PlatformConfig, context: ProviderContext): PlatformProvidersFor {
  const log = context.log.child({ platform: platform.name });
  const shared = {
    health: createClusterHealth({
      access: context.access,
      foundation: platform.foundation ?? defaultEksFoundation,
      services: { namespaces: serviceNamespaces(platform) },
      scanRemovedApis: async (request) =>
        scanRemovedApis({
          blue: await context.access(request.blue),
          targetVersion: request.targetVersion,
          log,
        }),
      log,
    }),
    services: context.services,
    metrics: routeMetricQueries({
      cloudwatch: createCloudWatchMetrics({ clientFor: (region) => context.aws.cloudwatch(region) }),
      prometheus: createPrometheusMetrics(),
      http: createHttpProbe(),
    }),
    notifier: platformNotifier(platform, context, log),
    ...(context.probes && { probes: context.probes }),
  };
  const built = new Map<string, PlatformProviders>();
  const forRoles = (roles: ProviderRoles): PlatformProviders => {
    const key = `${roles.blue.slot}:${roles.blue.name}:${roles.green.name}`;
    let providers = built.get(key);
    if (providers === undefined) {
      const green = platform.slots[roles.green.slot];
      providers = {
        ...shared,
        clusters: createEksProvisioner({
          client: context.aws.eks,
          template: green.mode === 'create' ? green.template : undefined,
          // Decommission deletes blue, which Switchyard may not have created (and so not tagged).
          allowUntagged: [roles.blue.name],
          ...(context.eksCatalog && { catalog: context.eksCatalog }),
          log,
        }),
        // The live (blue) slot's target as blue, the other slot's as green.
        router: routerFor(platform.traffic).create(roles, {
          aws: context.aws,
          serializer: context.serializer,
          log,
        }),
      };
      built.set(key, providers);
    }
    return providers;
  };
  return Object.assign(forRoles, { notifier: shared.notifier });
}

/**
 * The namespaces whose Deployments must be available before a side takes more traffic. A label
 * selector or a manifests directory names none up front; readiness then rests on qualification.
 */
function serviceNamespaces(platform: PlatformConfig): string[] {
  const source = platform.services.source;
  if (source.kind === 'copy') return Array.isArray(source.namespaces) ? [...source.namespaces] : [];
  if (source.kind === 'external') return [...new Set(source.workloads.map((w) => w.namespace))];
  return [];
}

/** The platform's Slack and webhook targets; without any, every notification is a log line. */
function platformNotifier(platform: PlatformConfig, context: ProviderContext, log: Logger): Notifier {
  const targets = platform.notifications ?? [];
  if (targets.length === 0) return logNotifier(log);
  const counter = context.notificationMetrics?.notifications;
  return notifierFromConfig(targets, {
    log: log.child({ component: 'notify' }),
    ...(counter && { count: (notifier, outcome) => counter.inc({ notifier, outcome }) }),
  });
}

function logNotifier(log: Logger): Notifier {
  return {
    async post(notification) {
      log.info({ notification }, `${notification.type}: ${notification.message}`);
    },
  };
}
