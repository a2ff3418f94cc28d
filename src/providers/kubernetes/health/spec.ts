/**
 * What "a healthy foundation" means for a platform: the system workloads that must run, the nodes that
 * must be Ready, and how much pod error activity is tolerated. Plain data, so the platform config can
 * carry it later.
 */

export type WorkloadKind = 'Deployment' | 'DaemonSet' | 'StatefulSet';

/** A name resolved through the cluster's DNS from where Switchyard runs. */
export interface DnsProbeSpec {
  /** The name to resolve, e.g. "kubernetes.default.svc.cluster.local". */
  readonly host: string;
  /** DNS server as "ip" or "ip:port"; the system's resolvers when absent. */
  readonly server?: string | undefined;
  /** Per-try timeout; default 2000 ms (two tries). */
  readonly timeoutMs?: number | undefined;
}

/** One piece of foundation software, judged by its workload object. */
export interface ComponentSpec {
  /** What it is for: "dns", "cni", "kube-proxy", "ingress", "autoscaler", "metrics", "logging", … */
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly namespace: string;
  /** The workload object's name, e.g. "coredns" or "aws-node". */
  readonly workload: string;
  /** Ready pods required (Deployment/StatefulSet); default: the desired replicas. DaemonSets need every node. */
  readonly minReady?: number | undefined;
  /** Substring the image must contain, e.g. "v1.11.3-eksbuild.2" or "coredns:v1.11". */
  readonly image?: string | undefined;
  /** The container whose image must match; any container of the pod template when absent. */
  readonly container?: string | undefined;
  /** When true, a missing workload passes ("not installed"); an installed one must still be healthy. */
  readonly optional?: boolean | undefined;
  readonly dnsProbe?: DnsProbeSpec | undefined;
}

export interface NodeSpec {
  /** Nodes that must be Ready (and not cordoned). 0 accepts a cluster without nodes (e.g. Karpenter at rest). */
  readonly expectedReady: number;
  /** When true, Memory/Disk/PID pressure is reported but does not fail the check. Default false. */
  readonly allowPressure?: boolean | undefined;
  /** Label selector limiting which nodes count, e.g. "eks.amazonaws.com/nodegroup=main"; all when absent. */
  readonly selector?: string | undefined;
}

export interface PodActivitySpec {
  /** Restarts above this, with the last one inside the window, fail the check. Default 5. */
  readonly restartThreshold?: number | undefined;
  /** How far back a container's last termination counts. Default 15 minutes. */
  readonly windowMs?: number | undefined;
  /** Namespaces to look at; all when absent. */
  readonly namespaces?: readonly string[] | undefined;
  /** A pod unschedulable for less than this is "not yet" (inconclusive), not a failure. Default 5 minutes. */
  readonly unschedulableGraceMs?: number | undefined;
}

export interface FoundationSpec {
  readonly components: readonly ComponentSpec[];
  readonly nodes: NodeSpec;
  readonly pods?: PodActivitySpec | undefined;
}

/** Every field of PodActivitySpec with its default applied. */
export interface ResolvedPodActivity {
  readonly restartThreshold: number;
  readonly windowMs: number;
  readonly namespaces: readonly string[] | undefined;
  readonly unschedulableGraceMs: number;
}

export function resolvePodActivity(spec: PodActivitySpec | undefined): ResolvedPodActivity {
  return {
    restartThreshold: spec?.restartThreshold ?? 5,
    windowMs: spec?.windowMs ?? 15 * 60_000,
    namespaces: spec?.namespaces,
    unschedulableGraceMs: spec?.unschedulableGraceMs ?? 5 * 60_000,
  };
}

/**
 * The EKS baseline: CoreDNS, the VPC CNI (aws-node) and kube-proxy in kube-system, at least one Ready
 * node, default pod-activity limits. Ingress, autoscaling, metrics and logging differ per platform and
 * are added there. No image is pinned: add-on versions depend on the target Kubernetes version.
 */
export const defaultEksFoundation: FoundationSpec = {
  components: [
    { name: 'dns', kind: 'Deployment', namespace: 'kube-system', workload: 'coredns' },
    { name: 'cni', kind: 'DaemonSet', namespace: 'kube-system', workload: 'aws-node' },
    { name: 'kube-proxy', kind: 'DaemonSet', namespace: 'kube-system', workload: 'kube-proxy' },
  ],
  nodes: { expectedReady: 1 },
};
