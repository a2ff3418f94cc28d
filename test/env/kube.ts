import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ClusterCredentials, generateClusterCredentials } from './certs.js';
import { freePort, httpsGet } from './net.js';
import { type ServerProcess, startServer, waitUntilReady } from './server-process.js';
import { runToolScript } from './tools.js';

/** The two clusters every migration test needs: the live one (blue) and the new one (green). */
export const clusterNames = ['blue', 'green'] as const;
export type ClusterName = (typeof clusterNames)[number];

export interface KubeEnvironment {
  /** A kubeconfig with one context per cluster, named like the cluster. */
  readonly kubeconfigPath: string;
  readonly servers: Readonly<Record<ClusterName, string>>;
  readonly credentials: ClusterCredentials;
  readonly processes: readonly ServerProcess[];
}

/**
 * Starts one etcd and two kube-apiservers (blue and green) that keep their objects under separate etcd
 * prefixes, waits for every /readyz, and writes the kubeconfig. No controllers or kubelets run: tests
 * write object status themselves, as envtest users do.
 */
export async function startKube(runDir: string): Promise<KubeEnvironment> {
  const bin = await runToolScript('build-kube.sh');
  const credentialsDir = join(runDir, 'credentials');
  mkdirSync(credentialsDir, { recursive: true });
  const credentials = await generateClusterCredentials(credentialsDir);
  const processes: ServerProcess[] = [];
  try {
    const etcdUrl = await startEtcd(bin, runDir, processes);
    const servers = {} as Record<ClusterName, string>;
    await Promise.all(
      clusterNames.map(async (name) => {
        servers[name] = await startApiServer(name, bin, runDir, etcdUrl, credentials, processes);
      }),
    );
    const kubeconfigPath = join(runDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(servers, credentials), { mode: 0o600 });
    return { kubeconfigPath, servers, credentials, processes };
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    throw error;
  }
}

async function startEtcd(bin: string, runDir: string, processes: ServerProcess[]): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = startServer(
    'etcd',
    join(bin, 'etcd'),
    [
      '--name=switchyard-test',
      `--data-dir=${join(runDir, 'etcd-data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=switchyard-test=${peerUrl}`,
      // Test data is thrown away after the run; skipping fsync keeps writes fast on a shared disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    { logFile: join(runDir, 'etcd.log') },
  );
  processes.push(etcd);
  await waitUntilReady(etcd, 'healthy', async () => {
    const response = await fetch(`${clientUrl}/health`);
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  });
  return clientUrl;
}

async function startApiServer(
  name: ClusterName,
  bin: string,
  runDir: string,
  etcdUrl: string,
  credentials: ClusterCredentials,
  processes: ServerProcess[],
): Promise<string> {
  const port = await freePort();
  const certDir = join(runDir, `${name}-certs`);
  mkdirSync(certDir, { recursive: true });
  const server = startServer(
    `kube-apiserver-${name}`,
    join(bin, 'kube-apiserver'),
    [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/${name}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${credentials.servingCertFile}`,
      `--tls-private-key-file=${credentials.servingKeyFile}`,
      `--token-auth-file=${credentials.tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${credentials.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${credentials.serviceAccountPrivateKeyFile}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // No controller-manager runs, so no namespace gets its default ServiceAccount; without this,
      // admission would reject every Pod the tests create.
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ],
    { logFile: join(runDir, `kube-apiserver-${name}.log`) },
  );
  processes.push(server);
  const url = `https://127.0.0.1:${port}`;
  await waitUntilReady(
    server,
    'ready',
    async () => (await httpsGet(`${url}/readyz`, credentials.caPem, credentials.adminToken)).status === 200,
    120_000,
  );
  return url;
}

function kubeconfigYaml(servers: Record<ClusterName, string>, credentials: ClusterCredentials): string {
  const caData = Buffer.from(credentials.caPem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'blue',
    clusters: clusterNames.map((name) => ({
      name,
      cluster: { server: servers[name], 'certificate-authority-data': caData },
    })),
    users: [{ name: credentials.adminUser, user: { token: credentials.adminToken } }],
    contexts: clusterNames.map((name) => ({ name, context: { cluster: name, user: credentials.adminUser } })),
  });
}
