import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { type ClusterCredentials, generateClusterCredentials } from './certs.js';
import { startControllerManager, startScheduler } from './kube-controllers.js';
import { startKwok } from './kwok.js';
import { createFakeNodes, nodesReady } from './kwok-nodes.js';
import { freePort, httpsGet } from './net.js';
import { type ServerProcess, startServer, waitUntilReady } from './server-process.js';
import { readServerVersions, serverBinary } from './server-versions.js';
import { runToolScript } from './tools.js';

/** The two clusters every migration test needs: the live one (blue) and the new one (green). */
export const clusterNames = ['blue', 'green'] as const;
export type ClusterName = (typeof clusterNames)[number];

export interface KubeEnvironment {
  /** A kubeconfig with one context per cluster, named like the cluster. */
  readonly kubeconfigPath: string;
  readonly servers: Readonly<Record<ClusterName, string>>;
  /** Each cluster's Kubernetes version (tools/versions.env), e.g. { blue: '1.34.4', green: '1.35.4' }. */
  readonly kubeVersions: Readonly<Record<ClusterName, string>>;
  /** The fake (kwok) nodes each cluster starts with. */
  readonly nodes: Readonly<Record<ClusterName, readonly string[]>>;
  /** kubectl at blue's version. */
  readonly kubectl: string;
  readonly credentials: ClusterCredentials;
  readonly processes: readonly ServerProcess[];
  /** Stops every process, clients before the servers they talk to. */
  stop(): Promise<void>;
}

/**
 * Starts one etcd and, for each cluster (blue and green, side by side), a kube-apiserver whose objects
 * live under its own etcd prefix, then its kube-controller-manager, kube-scheduler and kwok (the fake
 * nodes' kubelet), and creates its fake nodes. Each cluster runs its own Kubernetes version. Resolves
 * once every server is healthy and every node Ready, with the kubeconfig written.
 */
export async function startKube(runDir: string): Promise<KubeEnvironment> {
  const versions = readServerVersions();
  const bin = await runToolScript('build-kube.sh');
  const credentialsDir = join(runDir, 'credentials');
  mkdirSync(credentialsDir, { recursive: true });
  const credentials = await generateClusterCredentials(credentialsDir);
  const processes: ServerProcess[] = [];
  try {
    const etcdUrl = await startEtcd(serverBinary(bin, 'etcd', versions.etcd), runDir, processes);
    const servers = {} as Record<ClusterName, string>;
    const nodes = {} as Record<ClusterName, readonly string[]>;
    await Promise.all(
      clusterNames.map(async (name) => {
        const version = versions.kube[name];
        const binary = (command: string) => serverBinary(bin, command, version);
        servers[name] = await startApiServer(
          name,
          binary('kube-apiserver'),
          runDir,
          etcdUrl,
          credentials,
          processes,
        );
        // The cluster's own components get a kubeconfig with only this cluster in it.
        const kubeconfigPath = join(runDir, `${name}.kubeconfig`);
        writeFileSync(kubeconfigPath, kubeconfigYaml({ [name]: servers[name] }, credentials), {
          mode: 0o600,
        });
        const options = { cluster: name, runDir, kubeconfigPath, credentials, processes };
        const [kwok] = await Promise.all([
          startKwok(serverBinary(bin, 'kwok', versions.kwok), options),
          startControllerManager(binary('kube-controller-manager'), options),
          startScheduler(binary('kube-scheduler'), options),
        ]);
        nodes[name] = await startFakeNodes(name, kubeconfigPath, version, kwok);
      }),
    );
    const kubeconfigPath = join(runDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(servers, credentials), { mode: 0o600 });
    const stop = () => stopInOrder(processes);
    const kubectl = serverBinary(bin, 'kubectl', versions.kube.blue);
    return {
      kubeconfigPath,
      servers,
      kubeVersions: versions.kube,
      nodes,
      kubectl,
      credentials,
      processes,
      stop,
    };
  } catch (error) {
    await stopInOrder(processes);
    throw error;
  }
}

/**
 * Stops the controllers, schedulers and kwoks, then the API servers, then etcd. Stopped all at once, an
 * API server keeps retrying the etcd that went away and only ends when it is killed 10 s later.
 */
async function stopInOrder(processes: readonly ServerProcess[]): Promise<void> {
  const tier = (p: ServerProcess) => (p.name === 'etcd' ? 2 : p.name.startsWith('kube-apiserver') ? 1 : 0);
  for (const level of [0, 1, 2]) {
    await Promise.all(processes.filter((p) => tier(p) === level).map((p) => p.stop()));
  }
}

/** Creates the cluster's fake nodes and waits until its kwok has made them Ready. */
async function startFakeNodes(
  name: ClusterName,
  kubeconfigPath: string,
  version: string,
  kwok: ServerProcess,
): Promise<string[]> {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(kubeconfigPath);
  const names = await createFakeNodes(kubeconfig, name, version);
  await waitUntilReady(
    kwok,
    `making nodes ${names.join(', ')} Ready`,
    () => nodesReady(kubeconfig, names),
    30_000,
  );
  return names;
}

async function startEtcd(binary: string, runDir: string, processes: ServerProcess[]): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = startServer(
    'etcd',
    binary,
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
  binary: string,
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
    binary,
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

/** A kubeconfig with one context per given cluster, named like it; the first is the current one. */
function kubeconfigYaml(
  servers: Partial<Record<ClusterName, string>>,
  credentials: ClusterCredentials,
): string {
  const caData = Buffer.from(credentials.caPem).toString('base64');
  const names = clusterNames.filter((name) => servers[name] !== undefined);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': names[0],
    clusters: names.map((name) => ({
      name,
      cluster: { server: servers[name], 'certificate-authority-data': caData },
    })),
    users: [{ name: credentials.adminUser, user: { token: credentials.adminToken } }],
    contexts: names.map((name) => ({ name, context: { cluster: name, user: credentials.adminUser } })),
  });
}
