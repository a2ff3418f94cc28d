import type { Logger } from 'pino';
import { orderedStages } from '../../stages/index.js';
import { buildApi } from '../api/app.js';
import { Authenticator } from '../api/auth.js';
import { loadConfig } from '../config/load.js';
import type { Notifier } from '../domain/ports.js';
import { Controller } from '../engine/controller.js';
import { configCatalog, type Platform, recordPlatforms } from '../engine/platform-catalog.js';
import { SpecController } from '../kube-native/gitops/spec-controller.js';
import { createLogger, logProcessWarnings } from '../logging.js';
import { createMetrics } from '../metrics.js';
import { createAwsClientPool } from '../providers/aws/clients.js';
import { eksCatalogCache } from '../providers/aws/eks-catalog.js';
import { KeyedSerializer } from '../providers/aws/serial.js';
import { ProbeRegistry } from '../providers/probe/registry.js';
import { clusterAccess, clusterConfigs } from './cluster-access.js';
import { type FleetLayer, fleetLayer } from './fleets.js';
import { meteredStore } from './metered-store.js';
import { platformProviders } from './providers.js';
import { servicesFor } from './services.js';
import { eachTerm, openStoreRuntime } from './store-runtime.js';
import { loadTokens } from './tokens.js';

export interface ServeOptions {
  readonly configFile: string;
  /** The process environment (passed in: nothing below reads process.env). */
  readonly env: Record<string, string | undefined>;
  readonly log?: Logger;
}

export interface RunningController {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the controller: config → store (SQLite refuses to start if another controller holds it; the
 * Kubernetes store joins the replicas' leader election) → AWS and Kubernetes providers per platform →
 * reconciler (at once, or while leading) → REST API. Returns once the API listens.
 */
export async function serve(options: ServeOptions): Promise<RunningController> {
  const log = options.log ?? createLogger({ level: options.env.SWITCHYARD_LOG_LEVEL ?? 'info' });
  // Process warnings (the AWS SDK's Node version notice, deprecations) go to the JSON log, not stderr.
  const restoreWarnings = logProcessWarnings(log);
  const config = await loadConfig({ file: options.configFile, env: options.env });
  const { controller: settings } = config;
  const tokens = await loadTokens({ file: settings.auth.tokensFile, fromEnv: options.env.SWITCHYARD_TOKENS });
  if (tokens.length === 0)
    log.warn('no API tokens configured: every API call except health and docs will be refused');

  const metrics = createMetrics();
  const storeRuntime = await openStoreRuntime({ config: settings.store, env: options.env, log, metrics });
  const store = meteredStore(storeRuntime.store, metrics);
  // Every platform and promotion uses these SDK clients (one per service; CloudWatch per region).
  const awsPool = createAwsClientPool(
    log.child({ component: 'aws' }),
    ({ service, operation, outcome, attempts, seconds }) => {
      metrics.providerCalls.inc({ provider: service, operation, outcome });
      metrics.providerCallDuration.observe({ provider: service }, seconds);
      if (attempts > 1) metrics.providerRetries.inc({ provider: service, operation }, attempts - 1);
    },
  );
  const aws = awsPool.clients({
    region: settings.aws.region,
    ...(settings.aws.endpoint === undefined ? {} : { endpoint: settings.aws.endpoint }),
    ...environmentCredentials(options.env),
  });
  const serializer = new KeyedSerializer();
  // EKS's catalogs are the region's, not a platform's: one answer serves every promotion.
  const eksCatalog = eksCatalogCache();
  const probes = new ProbeRegistry({ log: log.child({ component: 'probe' }) });
  // One KubeConfig (and connection pool) per cluster, whichever platforms and promotions use it.
  const configs = clusterConfigs(aws.eks);
  const platforms = new Map<string, Platform>();
  // The same notifier (one queue per target) for a platform's promotions and its fleet runs' news.
  const notifiers = new Map<string, Notifier>();
  for (const [name, platform] of config.platforms) {
    const access = clusterAccess(platform, configs);
    const services = servicesFor(platform, access, log);
    const providers = platformProviders(platform, {
      aws,
      serializer,
      eksCatalog,
      access,
      services,
      log,
      notificationMetrics: metrics,
      probes,
    });
    platforms.set(name, { config: platform, providers });
    notifiers.set(name, providers.notifier);
  }

  const catalogOptions = {
    controller: settings,
    platforms,
    store,
    log: log.child({ component: 'platforms' }),
  };
  await recordPlatforms(catalogOptions);

  // The fleet layer needs the controller and the controller tells the fleet layer of its promotions.
  const fleetsRef: { current?: FleetLayer } = {};
  const controller = new Controller({
    store,
    stages: orderedStages,
    providersFor: (promotion) => {
      const platform = platforms.get(promotion.platform);
      if (platform === undefined) {
        throw new Error(`platform "${promotion.platform}" is no longer in the config`);
      }
      return platform.providers(promotion);
    },
    log: log.child({ component: 'engine' }),
    maxConcurrentPlatforms: settings.reconciler.maxConcurrentPlatforms,
    onPass: (seconds) => metrics.reconcileDuration.observe(seconds),
    observe: (promotion) => {
      probes.settle(promotion);
      fleetsRef.current?.promotionChanged(promotion);
    },
    mayAct: () => storeRuntime.mayAct(),
  });
  let started = false;
  const catalog = configCatalog(catalogOptions);
  const fleets = fleetLayer({
    store,
    controller,
    catalog,
    strategies: config.fleets,
    platforms: () => [...config.platforms.values()].map(({ name, labels }) => ({ name, labels })),
    log,
    metrics,
    pollMs: settings.reconciler.pollInterval,
    notifierFor: (platform) => notifiers.get(platform),
    ...(storeRuntime.remoteFleetChanges ? { remoteChanges: storeRuntime.remoteFleetChanges } : {}),
  });
  fleetsRef.current = fleets;
  const api = await buildApi({
    controller,
    store,
    fleets: fleets.surface,
    platforms: catalog,
    mutationsPerMinute: settings.server.mutationsPerMinute,
    auth: new Authenticator(tokens, settings.auth.publicReads),
    metrics,
    log: log.child({ component: 'api' }),
    ready: async () => started,
  });
  // With the Kubernetes store, the leader also acts on Promotion resources (kubectl apply, spec edits).
  const { cluster } = storeRuntime;
  const specs = cluster && {
    ...cluster,
    log: log.child({ component: 'gitops' }),
    controller,
    catalog,
  };
  const duties = [fleets.duty, ...(specs ? [eachTerm(() => new SpecController(specs))] : [])];
  await storeRuntime.run(controller, duties);
  started = true;
  await api.listen({ host: settings.server.host, port: settings.server.port });
  const address = api.server.address();
  const url =
    typeof address === 'object' && address
      ? `http://${settings.server.host}:${address.port}`
      : String(address);
  log.info({ url, platforms: [...platforms.keys()] }, 'switchyard controller serving');

  return {
    url,
    async close() {
      await api.close();
      // Stops the reconciler after its current pass, hands leadership over and closes the store.
      await storeRuntime.close();
      await probes.stopAll();
      configs.close();
      awsPool.destroy();
      restoreWarnings();
    },
  };
}

/**
 * The environment-variable step of the AWS credential chain, taken from the environment passed in.
 * Without those variables the SDK's own chain applies (shared config, web identity / IRSA, instance roles).
 */
function environmentCredentials(env: Record<string, string | undefined>) {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  if (!accessKeyId || !secretAccessKey) return {};
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}
