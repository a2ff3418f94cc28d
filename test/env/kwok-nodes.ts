/**
 * The fake worker nodes of each test cluster: Node objects labelled and sized the way an EKS managed
 * node group of m6i.large instances registers them, whose "kubelet" is kwok (it manages only nodes with
 * kwokNodeAnnotation). The environment creates them once, so every test sees the same nodes.
 */
import { createHash } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';

/** kwok manages exactly the nodes with this annotation (its --manage-nodes-with-annotation-selector). */
export const kwokNodeAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export const fakeNodeGroup = 'general';
export const fakeNodeZones = ['us-east-1a', 'us-east-1b'] as const;

export interface FakeNode {
  readonly name: string;
  readonly ip: string;
  readonly zone: string;
}

/**
 * Three nodes per cluster over two zones. Green's first two names are the ones the worlds used to create
 * by hand, so those creations now find the nodes already there.
 */
export function fakeNodesOf(cluster: 'blue' | 'green'): FakeNode[] {
  const firstHost = cluster === 'green' ? 11 : 101;
  const [a, b] = fakeNodeZones;
  return [a, b, a].map((zone, i) => {
    const ip = `10.40.0.${firstHost + i}`;
    return { name: `ip-${ip.replaceAll('.', '-')}.ec2.internal`, ip, zone };
  });
}

// An m6i.large (2 vCPU, 8 GiB) as EKS's AL2023 AMI reports it: the kubelet reserves some CPU and memory,
// and the VPC CNI caps pods at 29 (ENIs × IPs per ENI).
const capacity = { cpu: '2', memory: '7934464Ki', pods: '29', 'ephemeral-storage': '20959212Ki' };
const allocatable = { cpu: '1930m', memory: '7244288Ki', pods: '29', 'ephemeral-storage': '18242267924' };

const shortHash = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

function nodeObject(node: FakeNode, kubeVersion: string): V1Node {
  const hostname = node.name.replace(/\.ec2\.internal$/, '');
  return {
    metadata: {
      name: node.name,
      annotations: {
        [kwokNodeAnnotation.key]: kwokNodeAnnotation.value,
        'node.alpha.kubernetes.io/ttl': '0',
      },
      labels: {
        'eks.amazonaws.com/nodegroup': fakeNodeGroup,
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
        'node.kubernetes.io/instance-type': 'm6i.large',
        'beta.kubernetes.io/instance-type': 'm6i.large',
        'topology.kubernetes.io/region': 'us-east-1',
        'topology.kubernetes.io/zone': node.zone,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': hostname,
      },
    },
    spec: { providerID: `aws:///${node.zone}/i-0${shortHash(node.name, 16)}` },
    // A kubelet registers its node with this much status; kwok's stages add the conditions.
    status: {
      capacity,
      allocatable,
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'InternalDNS', address: node.name },
        { type: 'Hostname', address: node.name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023.7.20250609',
        kernelVersion: '6.1.140-154.222.amzn2023.x86_64',
        containerRuntimeVersion: 'containerd://1.7.27',
        // EKS builds carry a commit suffix, e.g. v1.34.4-eks-3025e55.
        kubeletVersion: `v${kubeVersion}-eks-${shortHash(kubeVersion, 7)}`,
        kubeProxyVersion: '',
        bootID: '',
        machineID: '',
        systemUUID: '',
      },
    },
  };
}

/** Creates the cluster's fake nodes (those already there are left alone) and returns their names. */
export async function createFakeNodes(
  kubeconfig: KubeConfig,
  cluster: 'blue' | 'green',
  kubeVersion: string,
): Promise<string[]> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const nodes = fakeNodesOf(cluster);
  await Promise.all(
    nodes.map(async (node) => {
      try {
        await core.createNode({ body: nodeObject(node, kubeVersion) });
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
      }
    }),
  );
  return nodes.map((n) => n.name);
}

/** True once every named node reports Ready=True (kwok has taken them over). */
export async function nodesReady(kubeconfig: KubeConfig, names: readonly string[]): Promise<boolean> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const list = await core.listNode();
  const ready = new Set(
    list.items
      .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => n.metadata?.name),
  );
  return names.every((name) => ready.has(name));
}
