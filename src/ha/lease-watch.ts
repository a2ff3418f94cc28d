import { type KubeConfig, type V1Lease, Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaseWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** The elector to wake (LeaseElector.nudge). */
  readonly nudge: () => void;
  readonly log: Logger;
  /** Wait before watching again after the watch ended or failed. */
  readonly rewatchDelayMs?: number;
}

/**
 * Watches the leader Lease and nudges the elector when it has no holder (released by a graceful stop,
 * or deleted), so a candidate leads within a round trip instead of at its next attempt, up to a retry
 * period later. Only a shortcut: the elector's polling stays correct when the watch is down, so watch
 * errors are logged and the watch is simply started again. Returns a function that stops watching.
 */
export function nudgeOnLeaseRelease(options: LeaseWatchOptions): () => void {
  const { kubeConfig, namespace, name, nudge, log } = options;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  const query = { fieldSelector: `metadata.name=${name}`, timeoutSeconds: 300 };
  let stopped = false;
  let connection: AbortController | undefined;
  let rewatchTimer: NodeJS.Timeout | undefined;

  const onEvent = (type: string, lease: V1Lease) => {
    if (type === 'DELETED' || (type !== 'ERROR' && !lease.spec?.holderIdentity)) nudge();
  };
  const onEnd = (error: unknown) => {
    if (stopped) return;
    if (error) log.warn({ err: error }, 'leader election: lease watch ended; watching again');
    rewatchTimer = setTimeout(watch, options.rewatchDelayMs ?? 1_000);
  };
  const watch = () => {
    new Watch(kubeConfig).watch(path, query, onEvent, onEnd).then((controller) => {
      connection = controller;
      if (stopped) controller.abort();
    }, onEnd);
  };
  watch();
  return () => {
    stopped = true;
    clearTimeout(rewatchTimer);
    connection?.abort();
  };
}
