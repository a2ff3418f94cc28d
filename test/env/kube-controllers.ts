/**
 * A test cluster's control loops: kube-controller-manager and kube-scheduler at the cluster's own
 * version, each on a free loopback port, talking to the cluster's API server as admin.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
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
  const certDir = join(runDir, `kube-controller-manager-${cluster}-certs`);
  await startOnFreePort(options, join(certDir, 'kube-controller-manager.crt'), (port) =>
    startServer(
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
    ),
  );
}

/** Starts kube-scheduler and resolves once it answers /healthz. */
export async function startScheduler(binary: string, options: ControllerOptions): Promise<void> {
  const { cluster, runDir, kubeconfigPath } = options;
  const certDir = join(runDir, `kube-scheduler-${cluster}-certs`);
  await startOnFreePort(options, join(certDir, 'kube-scheduler.crt'), (port) =>
    startServer(
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
    ),
  );
}

/**
 * Starts a component on a port that was free a moment ago, healthy only when the /healthz answer comes
 * with the certificate it wrote to `certFile`. Another sandbox starting at the same time can take the
 * port in between: the component then exits ("address already in use") while the other process's
 * /healthz answers 200, and a bare status check once took that for ours (a sandbox ran with no
 * scheduler). Lost ports are tried again on a new one.
 */
async function startOnFreePort(
  options: ControllerOptions,
  certFile: string,
  start: (port: number) => ServerProcess,
): Promise<void> {
  mkdirSync(dirname(certFile), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const component = start(port);
    options.processes.push(component);
    try {
      await waitUntilReady(component, 'healthy', () => healthy(port, certFile));
      return;
    } catch (error) {
      if (!component.hasExited() || attempt >= portAttempts) throw error;
    }
  }
}

const portAttempts = 3;

/**
 * GET /healthz. The component serves it with a certificate it made itself: there is no CA to check,
 * so the answer counts only when it comes with the certificate in `certFile` (written before serving).
 */
function healthy(port: number, certFile: string): Promise<boolean> {
  if (!existsSync(certFile)) return Promise.resolve(false);
  const ours = new X509Certificate(readFileSync(certFile)).raw;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2_000 },
      (res) => {
        const presented = (res.socket as TLSSocket).getPeerCertificate().raw;
        res.resume();
        resolve(res.statusCode === 200 && presented !== undefined && presented.equals(ours));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
