/**
 * Plays the controllers and kubelets the test kube-apiservers do not run: every Deployment, StatefulSet
 * and DaemonSet is reported rolled out and ready shortly after its spec changes, as a healthy cluster
 * would. Names listed in `broken` are reported unavailable instead, to show what a failing workload does.
 */
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1DaemonSet,
  type V1Deployment,
  type V1StatefulSet,
} from '@kubernetes/client-node';

export interface WorkloadSimulator {
  /** "namespace/name" of workloads to report as not available. */
  readonly broken: Set<string>;
  /** Namespaces whose Deployments are reported mid-rollout (one replica not yet updated nor ready). */
  readonly stalled: Set<string>;
  stop(): Promise<void>;
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function simulateWorkloads(clusters: readonly KubeConfig[], intervalMs = 250): WorkloadSimulator {
  const broken = new Set<string>();
  const stalled = new Set<string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const config of clusters) {
        try {
          await reconcile(config, broken, stalled);
        } catch {
          // An object deleted between list and patch, or a server restarting: the next round catches up.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    broken,
    stalled,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function reconcile(
  config: KubeConfig,
  broken: ReadonlySet<string>,
  stalled: ReadonlySet<string>,
): Promise<void> {
  const apps = config.makeApiClient(AppsV1Api);
  const nodes = (await config.makeApiClient(CoreV1Api).listNode()).items.length;
  const key = (o: { metadata?: { namespace?: string; name?: string } }) =>
    `${o.metadata?.namespace}/${o.metadata?.name}`;

  for (const d of (await apps.listDeploymentForAllNamespaces()).items) {
    const want = deploymentStatus(d, broken.has(key(d)), stalled.has(d.metadata?.namespace ?? ''));
    if (!same(d.status, want)) {
      await apps.patchNamespacedDeploymentStatus(
        { name: d.metadata?.name ?? '', namespace: d.metadata?.namespace ?? '', body: { status: want } },
        merge,
      );
    }
  }
  for (const s of (await apps.listStatefulSetForAllNamespaces()).items) {
    const want = statefulSetStatus(s, broken.has(key(s)));
    if (!same(s.status, want)) {
      await apps.patchNamespacedStatefulSetStatus(
        { name: s.metadata?.name ?? '', namespace: s.metadata?.namespace ?? '', body: { status: want } },
        merge,
      );
    }
  }
  for (const ds of (await apps.listDaemonSetForAllNamespaces()).items) {
    const want = daemonSetStatus(ds, nodes, broken.has(key(ds)));
    if (!same(ds.status, want)) {
      await apps.patchNamespacedDaemonSetStatus(
        { name: ds.metadata?.name ?? '', namespace: ds.metadata?.namespace ?? '', body: { status: want } },
        merge,
      );
    }
  }
}

function deploymentStatus(d: V1Deployment, isBroken: boolean, isStalled: boolean) {
  const replicas = d.spec?.replicas ?? 1;
  const ready = isBroken ? 0 : isStalled ? replicas - 1 : replicas;
  return {
    observedGeneration: d.metadata?.generation ?? 1,
    replicas,
    updatedReplicas: isStalled ? replicas - 1 : replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: replicas - ready,
  };
}

function statefulSetStatus(s: V1StatefulSet, isBroken: boolean) {
  const replicas = s.spec?.replicas ?? 1;
  const ready = isBroken ? 0 : replicas;
  return {
    observedGeneration: s.metadata?.generation ?? 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: replicas,
  };
}

function daemonSetStatus(ds: V1DaemonSet, nodes: number, isBroken: boolean) {
  const ready = isBroken ? 0 : nodes;
  return {
    observedGeneration: ds.metadata?.generation ?? 1,
    desiredNumberScheduled: nodes,
    currentNumberScheduled: nodes,
    updatedNumberScheduled: nodes,
    numberReady: ready,
    numberAvailable: ready,
    numberUnavailable: nodes - ready,
    numberMisscheduled: 0,
  };
}

function same(current: object | undefined, want: Record<string, number>): boolean {
  const c = (current ?? {}) as Record<string, unknown>;
  return Object.entries(want).every(([k, v]) => (c[k] ?? 0) === v);
}
