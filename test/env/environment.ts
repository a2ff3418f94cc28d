import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKube } from './kube.js';
import { startMoto } from './moto.js';
import { projectRoot } from './tools.js';

/** What tests need to reach the servers; serializable, so vitest can hand it to test workers. */
export interface TestEnvironmentInfo {
  readonly awsEndpoint: string;
  readonly awsRegion: string;
  readonly kubeconfigPath: string;
  readonly kubeServers: Readonly<Record<'blue' | 'green', string>>;
  /** Each cluster's Kubernetes version, e.g. { blue: '1.34.4', green: '1.35.4' } (tools/versions.env). */
  readonly kubeVersions: Readonly<Record<'blue' | 'green', string>>;
  /** Each cluster's fake worker nodes (kwok plays their kubelets; see kwok-nodes.ts and faults.ts). */
  readonly kubeNodes: Readonly<Record<'blue' | 'green', readonly string[]>>;
  /** kubectl at blue's version, for tests that drive resources the way people do. */
  readonly kubectl: string;
  /** Folder with this run's logs, kubeconfig and credentials. */
  readonly runDir: string;
}

export interface TestEnvironment {
  readonly info: TestEnvironmentInfo;
  stop(): Promise<void>;
}

const runsDir = join(projectRoot, '.cache/env-runs');
const keptRuns = 3;

/** Starts moto and the blue/green Kubernetes clusters (control planes and fake nodes) side by side. */
export async function startTestEnvironment(): Promise<TestEnvironment> {
  pruneOldRuns();
  const runDir = join(runsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(runDir, { recursive: true });

  const [moto, kube] = await Promise.allSettled([startMoto(runDir), startKube(runDir)]);
  const stopAll = async () => {
    await Promise.all([
      moto.status === 'fulfilled' ? moto.value.process.stop() : undefined,
      kube.status === 'fulfilled' ? kube.value.stop() : undefined,
    ]);
    rmSync(join(runDir, 'etcd-data'), { recursive: true, force: true });
  };
  if (moto.status === 'rejected' || kube.status === 'rejected') {
    await stopAll();
    const reasons = [moto, kube].flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    throw new Error(`test environment did not start:\n${reasons.join('\n')}`);
  }

  const info: TestEnvironmentInfo = {
    awsEndpoint: moto.value.endpoint,
    awsRegion: 'us-east-1',
    kubeconfigPath: kube.value.kubeconfigPath,
    kubeServers: kube.value.servers,
    kubeVersions: kube.value.kubeVersions,
    kubeNodes: kube.value.nodes,
    kubectl: kube.value.kubectl,
    runDir,
  };
  writeFileSync(join(runDir, 'env.json'), `${JSON.stringify(info, null, 2)}\n`);
  return { info, stop: stopAll };
}

/**
 * Keeps the newest few run folders (logs of failed runs are worth a look) and never touches one used in
 * the last half hour: two test projects start environments at the same time and must not prune each
 * other's live folders.
 */
function pruneOldRuns(): void {
  let runs: { path: string; modified: number }[];
  try {
    runs = readdirSync(runsDir).map((name) => {
      const path = join(runsDir, name);
      return { path, modified: statSync(path).mtimeMs };
    });
  } catch {
    return;
  }
  const recent = Date.now() - 30 * 60_000;
  runs.sort((a, b) => b.modified - a.modified);
  for (const old of runs.slice(keptRuns).filter((r) => r.modified < recent)) {
    rmSync(old.path, { recursive: true, force: true });
  }
}
