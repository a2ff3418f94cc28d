/**
 * A test cluster's control loops: kube-controller-manager and kube-scheduler at the cluster's own
 * version, each on a free loopback port, talking to the cluster's API server as admin.
 */
import { mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ClusterCredentials } from './certs.js';
import { freePort } from './net.js';
import { type ServerProcess, startServer, waitUntilReady } from './server-process.js';

/**
 * What an EKS control plane runs that matters to workloads and upgrades: the workload controllers, the
 * disruption (PDB) controller, garbage collection, namespaces and service accounts, node lifecycle and
 * taint eviction, pod GC (pods of deleted nodes), the kube-root-ca.crt publisher and RBAC role
 * aggregation. Left out: cloud and IPAM controllers (no cloud here), volumes, certificates, jobs,
 * autoscaling and the endpoints controllers (the worlds write Endpoints objects by hand).
 */
export const controllers = [
  'deployment-controller',
  'replicaset-controller',
  'daemonset-controller',
  'statefulset-controller',
  'disruption-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'node-lifecycle-controller',
  'taint-eviction-controller',
  'pod-garbage-collector-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
];

export interface ControllerOptions {
  readonly cluster: string;
  readonly runDir: string;
  /** kubeconfig with the admin identity and this cluster as its only context. */
  readonly kubeconfigPath: string;
  readonly credentials: ClusterCredentials;
  /** Each started process is added here at once, so the caller can stop it even if it never gets healthy. */
  readonly processes: ServerProcess[];
}

/** Starts kube-controller-manager and resolves once it answers /healthz. */
export async function startControllerManager(binary: string, options: ControllerOptions): Promise<void> {
  const { cluster, runDir, kubeconfigPath, credentials } = options;
  const port = await freePort();
  const certDir = join(runDir, `kube-controller-manager-${cluster}-certs`);
  mkdirSync(certDir, { recursive: true });
  const manager = startServer(
    `kube-controller-manager-${cluster}`,
    binary,
    [
      `--kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      `--controllers=${controllers.join(',')}`,
      `--service-account-private-key-file=${credentials.serviceAccountPrivateKeyFile}`,
      `--root-ca-file=${credentials.caFile}`,
      // Every controller acts as the admin identity: one credential, no per-controller RBAC to set up.
      '--use-service-account-credentials=false',
      `--cluster-name=${cluster}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--profiling=false',
    ],
    { logFile: join(runDir, `kube-controller-manager-${cluster}.log`) },
  );
  options.processes.push(manager);
  await waitUntilReady(manager, 'healthy', () => healthy(port));
}

/** Starts kube-scheduler and resolves once it answers /healthz. */
export async function startScheduler(binary: string, options: ControllerOptions): Promise<void> {
  const { cluster, runDir, kubeconfigPath } = options;
  const port = await freePort();
  const certDir = join(runDir, `kube-scheduler-${cluster}-certs`);
  mkdirSync(certDir, { recursive: true });
  const scheduler = startServer(
    `kube-scheduler-${cluster}`,
    binary,
    [
      `--kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--profiling=false',
    ],
    { logFile: join(runDir, `kube-scheduler-${cluster}.log`) },
  );
  options.processes.push(scheduler);
  await waitUntilReady(scheduler, 'healthy', () => healthy(port));
}

/** GET /healthz; the component serves it with a certificate it made itself, so there is no CA to check. */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
