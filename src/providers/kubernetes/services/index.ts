import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ProviderError } from '../../../domain/errors.js';
import type { Observation, Qualification, ServiceDeployer } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { errorMessage } from '../../../domain/retryable.js';
import { KubeClient } from './client.js';
import { deployCopy } from './copy.js';
import { deployManifests } from './deploy-manifests.js';
import { qualifyServices } from './qualify.js';
import { probeFor, type ResolvedProbe, resolveProbes, type ServicesSpec } from './spec.js';
import { awaitWorkloads } from './workloads.js';

export type { ServicesSource, ServicesSpec, SmokeProbe, WorkloadRef } from './spec.js';

export interface ServiceDeployerOptions {
  /** The credentials of a cluster; may throw when they cannot be loaded. Async for EKS lookups. */
  readonly access: (cluster: ClusterRef) => KubeConfig | Promise<KubeConfig>;
  readonly spec: ServicesSpec;
  /** For smoke probes without a Host header; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Pause between probe attempts; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: Logger;
}

/**
 * One KubeClient (and so one discovery cache) per KubeConfig: the access function hands out the same
 * KubeConfig object for the same cluster, so every promotion on a cluster shares it.
 */
const clients = new WeakMap<KubeConfig, KubeClient>();

function clientFor(config: KubeConfig): KubeClient {
  let client = clients.get(config);
  if (client === undefined) {
    client = new KubeClient(config);
    clients.set(config, client);
  }
  return client;
}

/**
 * A ServiceDeployer over Kubernetes. deploy() copies from blue, applies manifests, or (external) waits
 * for what something else deploys; qualify() judges rollouts and runs smoke probes. Both start from
 * what the clusters hold now and keep nothing between calls, so a call repeated after a requeue or a
 * crash is safe: applying an unchanged object again writes nothing.
 *
 * Throws InvalidInputError at once when the spec is malformed (a probe URL or pattern, say).
 */
export function createServiceDeployer(options: ServiceDeployerOptions): ServiceDeployer {
  const { spec, log } = options;
  const probes: ResolvedProbe[] = resolveProbes(spec);
  const allowStateful = spec.allowStateful ?? false;
  const probeDeps = {
    fetch: options.fetch ?? fetch,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  const connect = async (cluster: ClusterRef): Promise<KubeClient> => {
    try {
      return clientFor(await options.access(cluster));
    } catch (error) {
      // A provider error (e.g. EKS throttling while looking up the endpoint) keeps its retryability.
      if (error instanceof ProviderError) throw error;
      const message = `cluster ${cluster.name}: cannot load its credentials: ${errorMessage(error)}`;
      throw new ProviderError(message, false, { cause: error });
    }
  };

  return {
    async deploy({ promotionId, from, to }): Promise<Observation> {
      const source = spec.source;
      let observed: Observation;
      switch (source.kind) {
        case 'copy':
          observed = await deployCopy(
            { from: await connect(from), to: await connect(to) },
            { from, to },
            source,
            allowStateful,
          );
          break;
        case 'manifests':
          observed = await deployManifests(await connect(to), to, source.directory, allowStateful);
          break;
        case 'external':
          observed = await awaitWorkloads(await connect(to), to, source.workloads);
          break;
      }
      log?.info({ promotionId, from: from.name, to: to.name, ready: observed.ready }, observed.message);
      return observed;
    },

    async qualify(cluster): Promise<Qualification> {
      const aimed = probes.map((probe) => probeFor(probe, cluster));
      const qualification = await qualifyServices(await connect(cluster), cluster, spec, aimed, probeDeps);
      log?.info({ cluster: cluster.name, verdict: qualification.verdict }, 'services qualified');
      return qualification;
    },
  };
}
