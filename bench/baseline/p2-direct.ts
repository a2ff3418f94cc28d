/**
 * P2's baseline: the provider operations of a promotion made directly, one after another, each
 * followed by an immediate look, as fast as a hand-written script could go (see p2-promotion.bench.ts).
 */
import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AwsClients } from '../../src/providers/aws/clients.js';
import { kubeTargetVersion, type World } from '../../test/env/world.js';
import { roles } from '../../test/env/world-aws.js';

export interface DirectClients {
  readonly aws: AwsClients;
  readonly blueKube: KubeConfig;
  readonly greenKube: KubeConfig;
}

const addons = ['vpc-cni', 'coredns', 'kube-proxy'];

/**
 * The same provider operations as a script would make them, one after another; returns the time of
 * each group, named after the stage of ours that makes the same operations.
 */
export async function directly(
  { aws, blueKube, greenKube }: DirectClients,
  world: World,
  plan: { readonly tag: string; readonly steps: readonly number[]; readonly bakeMs: number },
): Promise<Record<string, number>> {
  const { tag, steps, bakeMs } = plan;
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (stage: string) => {
    const now = performance.now();
    phases[stage] = now - mark;
    mark = now;
  };
  const name = `base-${tag}`;
  await aws.eks.send(
    new CreateClusterCommand({
      name,
      version: kubeTargetVersion,
      roleArn: roles.cluster,
      resourcesVpcConfig: { subnetIds: [...world.aws.subnetIds] },
    }),
  );
  await until(async () => (await cluster(aws.eks, name))?.status === 'ACTIVE');
  phase('provision');
  await aws.eks.send(
    new CreateNodegroupCommand({
      clusterName: name,
      nodegroupName: 'general',
      nodeRole: roles.nodes,
      subnets: [...world.aws.subnetIds],
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
    }),
  );
  await until(async () => (await nodegroup(aws.eks, name))?.status === 'ACTIVE');
  for (const addonName of addons) {
    const offered = await aws.eks.send(
      new DescribeAddonVersionsCommand({ addonName, kubernetesVersion: kubeTargetVersion }),
    );
    const addonVersion = offered.addons?.[0]?.addonVersions?.[0]?.addonVersion;
    await aws.eks.send(new CreateAddonCommand({ clusterName: name, addonName, addonVersion }));
    await until(async () => {
      const found = await aws.eks.send(new DescribeAddonCommand({ clusterName: name, addonName }));
      return found.addon?.status === 'ACTIVE';
    });
  }
  phase('foundation');
  await copyServices(
    { blueKube, greenKube },
    world.names.namespaces.shop,
    `${world.names.namespaces.shop}-${tag}`,
  );
  phase('services + qualify-services');
  await fetch(world.smoke.shop.url, { headers: { host: 'shop.example.test' } }).then((r) => r.text());
  for (const green of steps) {
    await setWeights(aws.route53, world.aws.hostedZoneId, green);
    await new Promise((resolve) => setTimeout(resolve, bakeMs));
  }
  phase('shift-traffic');
  await aws.eks.send(new DeleteNodegroupCommand({ clusterName: name, nodegroupName: 'general' }));
  await until(async () => (await nodegroup(aws.eks, name)) === undefined);
  await aws.eks.send(new DeleteClusterCommand({ name }));
  await until(async () => (await cluster(aws.eks, name)) === undefined);
  phase('decommission');
  return phases;
}

/** The shop namespace's Deployments, Services and ConfigMaps created on green, then rolled out. */
async function copyServices(
  { blueKube, greenKube }: Pick<DirectClients, 'blueKube' | 'greenKube'>,
  from: string,
  to: string,
): Promise<void> {
  const [blueCore, blueApps] = [blueKube.makeApiClient(CoreV1Api), blueKube.makeApiClient(AppsV1Api)];
  const [core, apps] = [greenKube.makeApiClient(CoreV1Api), greenKube.makeApiClient(AppsV1Api)];
  const meta = (m: { name?: string; labels?: Record<string, string> } | undefined) => ({
    name: m?.name ?? '',
    ...(m?.labels && { labels: m.labels }),
  });
  await core.createNamespace({ body: { metadata: { name: to } } });
  for (const item of (await blueCore.listNamespacedConfigMap({ namespace: from })).items) {
    if (item.metadata?.name === 'kube-root-ca.crt') continue;
    await core.createNamespacedConfigMap({
      namespace: to,
      body: { metadata: meta(item.metadata), data: item.data ?? {} },
    });
  }
  for (const item of (await blueCore.listNamespacedService({ namespace: from })).items) {
    const { clusterIP: _ip, clusterIPs: _ips, ...spec } = item.spec ?? {};
    await core.createNamespacedService({ namespace: to, body: { metadata: meta(item.metadata), spec } });
  }
  const deployments = (await blueApps.listNamespacedDeployment({ namespace: from })).items;
  for (const item of deployments) {
    if (item.spec === undefined) continue;
    await apps.createNamespacedDeployment({
      namespace: to,
      body: { metadata: meta(item.metadata), spec: item.spec },
    });
  }
  await until(async () => {
    const rolled = (await apps.listNamespacedDeployment({ namespace: to })).items;
    return rolled.every((d) => (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1));
  }, 50);
}

async function setWeights(route53: Route53Client, zone: string, green: number): Promise<void> {
  const record = (id: string, weight: number) => ({
    Action: 'UPSERT' as const,
    ResourceRecordSet: {
      Name: 'base.example.test',
      Type: 'CNAME' as const,
      TTL: 0,
      SetIdentifier: id,
      Weight: weight,
      ResourceRecords: [{ Value: `${id}.lb.example.test` }],
    },
  });
  const change = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone,
      ChangeBatch: { Changes: [record('base-blue', 100 - green), record('base-green', green)] },
    }),
  );
  await until(async () => {
    const status = await route53.send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }));
    return status.ChangeInfo?.Status === 'INSYNC';
  });
}

async function cluster(eks: EKSClient, name: string) {
  return missingIsUndefined(async () => (await eks.send(new DescribeClusterCommand({ name }))).cluster);
}

async function nodegroup(eks: EKSClient, clusterName: string) {
  return missingIsUndefined(
    async () =>
      (await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: 'general' }))).nodegroup,
  );
}

async function missingIsUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Looks again at once (or after `pauseMs`) until `done`: the fastest a script can notice. */
async function until(done: () => Promise<boolean>, pauseMs = 0): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('baseline operation did not finish within 60 s');
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
