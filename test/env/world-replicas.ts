/**
 * A world's controller run the Kubernetes-native way: replicas that keep promotions as switchyard.dev
 * resources in a namespace of a management cluster (here the blue cluster's apiserver) and elect a
 * leader on a Lease. Each replica gets its own controller file (its own port) beside the world's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { installCrds } from './crds.js';
import type { TestEnvironmentInfo } from './environment.js';
import { freePort } from './net.js';
import type { World } from './world.js';

export interface Replica {
  /** Also its POD_NAME, so the Lease names it as holder. */
  readonly name: string;
  readonly configFile: string;
  readonly url: string;
  /** For startController: the world's folder, this replica's file, port and identity. */
  readonly process: { configFile: string; dir: string; url: string; env: Record<string, string> };
}

export interface Replicas {
  readonly namespace: string;
  readonly leaseName: string;
  readonly replicas: readonly Replica[];
  /** The replica holding the Lease now, if any. */
  holder(): Promise<string | undefined>;
}

export interface ReplicaOptions {
  readonly names?: readonly string[];
  /** Short leases so takeovers fit a test; the product's defaults are 15 s / 10 s / 2 s. */
  readonly lease?: {
    readonly duration: string;
    readonly renewDeadline: string;
    readonly retryPeriod: string;
  };
}

export async function prepareReplicas(
  world: World,
  env: TestEnvironmentInfo,
  options: ReplicaOptions = {},
): Promise<Replicas> {
  const management: KubeConfig = world.kube.blue;
  const namespace = `switchyard-${world.names.suffix}`;
  const leaseName = 'switchyard-leader';
  await installCrds(management);
  // The sandbox has no third cluster: the management cluster is blue, the cluster being upgraded. Its
  // switchyard.dev resources would then fail green's served-API qualification (green does not serve an
  // API blue's objects use, rightly), so green serves the CRDs too, as a separate management cluster
  // would make moot.
  await installCrds(world.kube.green);
  await management.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });

  const base = parse(readFileSync(world.configFile, 'utf8')) as Record<string, unknown>;
  const replicas: Replica[] = [];
  for (const name of options.names ?? ['replica-a', 'replica-b']) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const configFile = join(world.dir, `controller-${name}.yaml`);
    writeFileSync(
      configFile,
      stringify({
        ...base,
        server: { ...(base.server as object), port },
        store: {
          kind: 'kubernetes',
          namespace,
          kubeconfig: { path: env.kubeconfigPath, context: 'blue' },
          lease: {
            name: leaseName,
            ...(options.lease ?? { duration: '3s', renewDeadline: '2s', retryPeriod: '500ms' }),
          },
        },
      }),
    );
    replicas.push({
      name,
      configFile,
      url,
      process: {
        configFile,
        dir: world.dir,
        url,
        env: { ...world.env, POD_NAME: name, SWITCHYARD_URL: url },
      },
    });
  }
  const leases = management.makeApiClient(CoordinationV1Api);
  return {
    namespace,
    leaseName,
    replicas,
    async holder() {
      try {
        const lease = await leases.readNamespacedLease({ namespace, name: leaseName });
        return lease.spec?.holderIdentity ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}
