/**
 * One kwok per test cluster: the kubelet of the cluster's fake nodes (kwok-nodes.ts). It renews their
 * Leases, and plays the stages of kwok-stages.ts on them and on the pods the scheduler binds to them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kwokNodeAnnotation } from './kwok-nodes.js';
import { kwokStagesYaml } from './kwok-stages.js';
import { freePort } from './net.js';
import { type ServerProcess, startServer, waitUntilReady } from './server-process.js';

/** Pod IPs per cluster, inside the VPC CIDR of the nodes (10.40.0.0/16), as the VPC CNI hands them out. */
const podCidrs: Record<string, string> = { blue: '10.40.128.0/18', green: '10.40.192.0/18' };

export interface KwokOptions {
  readonly cluster: 'blue' | 'green';
  readonly runDir: string;
  /** kubeconfig with the admin identity and this cluster as its only context. */
  readonly kubeconfigPath: string;
  /** The started process is added here at once, so the caller can stop it even if it never gets healthy. */
  readonly processes: ServerProcess[];
}

/** Starts kwok and resolves once it answers /healthz. */
export async function startKwok(binary: string, options: KwokOptions): Promise<ServerProcess> {
  const { cluster, runDir, kubeconfigPath } = options;
  const stagesFile = join(runDir, `kwok-${cluster}-stages.yaml`);
  writeFileSync(stagesFile, kwokStagesYaml());
  const home = join(runDir, `kwok-${cluster}-home`);
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  const kwok = startServer(
    `kwok-${cluster}`,
    binary,
    [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${stagesFile}`,
      `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation.key}=${kwokNodeAnnotation.value}`,
      // Leases are what the node-lifecycle controller watches; the 40 s a kubelet sets.
      '--node-lease-duration-seconds=40',
      `--cidr=${podCidrs[cluster]}`,
      `--server-address=127.0.0.1:${port}`,
    ],
    // kwok reads ~/.kwok for defaults; a home of its own keeps a developer's settings out of the tests.
    { logFile: join(runDir, `kwok-${cluster}.log`), env: { ...process.env, HOME: home } },
  );
  options.processes.push(kwok);
  await waitUntilReady(kwok, 'healthy', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);
  return kwok;
}
