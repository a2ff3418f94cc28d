import {
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { afterAll, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import type { ClusterProvisioner, Observation } from '../../src/domain/ports.js';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { createEksProvisioner, type EksClusterTemplate } from '../../src/providers/aws/eks.js';
import { eksKubeConfig } from '../../src/providers/aws/eks-kubeconfig.js';
import { ensureNodeGroups } from '../../src/providers/aws/eks-nodegroups.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';

const template: EksClusterTemplate = {
  roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
  subnetIds: ['subnet-0a1', 'subnet-0b2'],
  securityGroupIds: ['sg-0c3'],
  endpointPublicAccess: false,
  logging: ['api', 'audit'],
  tags: { team: 'platform' },
  nodeGroups: [
    {
      name: 'general',
      instanceTypes: ['m6i.large'],
      minSize: 2,
      maxSize: 6,
      desiredSize: 3,
      labels: { pool: 'general' },
      nodeRoleArn: 'arn:aws:iam::123456789012:role/eks-node',
    },
    {
      name: 'batch',
      instanceTypes: ['c6i.xlarge'],
      minSize: 0,
      maxSize: 4,
      desiredSize: 1,
      subnetIds: ['subnet-0b2'],
      nodeRoleArn: 'arn:aws:iam::123456789012:role/eks-node',
    },
  ],
  addons: [],
};

describeWithServers('EKS provisioner on moto', () => {
  const env = testEnvironment();
  const aws = createAwsClients({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: dummyCredentials,
  });
  afterAll(() => aws.destroy());
  const eks = aws.eks;
  const provisioner = createEksProvisioner({ client: eks, template, allowUntagged: ['blue-legacy'] });

  const green = (name: string, adopted = false) => ({ name, adopted });
  const clusterCount = async () => (await eks.send(new ListClustersCommand({}))).clusters?.length ?? 0;
  const describe = async (name: string) => (await eks.send(new DescribeClusterCommand({ name }))).cluster;
  const nodegroupNames = async (clusterName: string) =>
    (await eks.send(new ListNodegroupsCommand({ clusterName }))).nodegroups ?? [];
  /** A cluster made outside Switchyard (or by an earlier pass), with the tags given. */
  const createDirectly = (name: string, tags: Record<string, string>, version = '1.31') =>
    eks.send(
      new CreateClusterCommand({
        name,
        version,
        roleArn: template.roleArn,
        resourcesVpcConfig: { subnetIds: [...template.subnetIds] },
        tags,
      }),
    );
  const ensureGreen = (name: string, promotionId = 'promo-1', version = '1.31') =>
    provisioner.ensureCluster({
      promotionId,
      cluster: green(name),
      version,
      idempotencyToken: `${promotionId}-provision`,
    });
  /** Calls teardown until it reports the cluster gone, returning every message on the way. */
  const tearDownFully = async (p: ClusterProvisioner, promotionId: string, name: string) => {
    const passes: Observation[] = [];
    while (passes.length < 10 && !passes.at(-1)?.ready) {
      passes.push(await p.teardown({ promotionId, cluster: { name } }));
    }
    return passes;
  };
  const permanentFailure = (message: RegExp) =>
    expect.objectContaining({
      name: 'ProviderError',
      retryable: false,
      message: expect.stringMatching(message),
    });

  it('creates green once, tagged, and reports it ACTIVE on every repeat', async () => {
    const before = await clusterCount();
    const observations = [
      await ensureGreen('green-once'),
      await ensureGreen('green-once'),
      await ensureGreen('green-once'),
    ];

    expect(await clusterCount()).toBe(before + 1);
    for (const observation of observations) {
      expect(observation).toEqual({ ready: true, message: 'EKS cluster green-once is ACTIVE' });
    }
    const cluster = await describe('green-once');
    expect(cluster?.version).toBe('1.31');
    expect(cluster?.tags).toEqual({
      team: 'platform',
      'switchyard.io/promotion-id': 'promo-1',
      'switchyard.io/role': 'green',
    });
    expect(cluster?.resourcesVpcConfig).toMatchObject({
      subnetIds: template.subnetIds,
      securityGroupIds: template.securityGroupIds,
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
    });
    expect(cluster?.logging?.clusterLogging).toEqual([{ types: ['api', 'audit'], enabled: true }]);
  });

  it('sends a client request token of at most 64 characters, derived deterministically', async () => {
    const promotionId = `promo-${'x'.repeat(80)}`;
    await ensureGreen('green-long-token', promotionId);
    const token = (await describe('green-long-token'))?.clientRequestToken;
    expect(token?.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^promo-x+-[0-9a-f]{32}$/);
  });

  it('finds a cluster an earlier pass created before crashing, instead of creating another', async () => {
    await createDirectly('green-crashed', { 'switchyard.io/promotion-id': 'promo-1' });
    const before = await clusterCount();
    expect(await ensureGreen('green-crashed')).toMatchObject({ ready: true });
    expect(await clusterCount()).toBe(before);
  });

  it("refuses a cluster that carries another promotion's tag, or none", async () => {
    await createDirectly('green-foreign', { 'switchyard.io/promotion-id': 'promo-other' });
    await expect(ensureGreen('green-foreign')).rejects.toEqual(
      permanentFailure(/belongs to promotion promo-other/),
    );
    await createDirectly('green-untagged', { owner: 'terraform' });
    await expect(ensureGreen('green-untagged')).rejects.toEqual(
      permanentFailure(/has no switchyard.io\/promotion-id tag/),
    );
    await expect(
      provisioner.teardown({ promotionId: 'promo-1', cluster: { name: 'green-foreign' } }),
    ).rejects.toEqual(permanentFailure(/refusing to touch it/));
    expect((await describe('green-foreign'))?.status).toBe('ACTIVE');
  });

  it('adopts an existing cluster at the target version and refuses one at another version', async () => {
    await createDirectly('adopted-ok', { owner: 'terraform' }, '1.31');
    await createDirectly('adopted-old', { owner: 'terraform' }, '1.30');
    const adopt = (name: string) =>
      provisioner.ensureCluster({
        promotionId: 'promo-1',
        cluster: green(name, true),
        version: '1.31',
        idempotencyToken: 't',
      });
    const before = await clusterCount();

    expect(await adopt('adopted-ok')).toEqual({ ready: true, message: 'EKS cluster adopted-ok is ACTIVE' });
    await expect(adopt('adopted-old')).rejects.toEqual(
      permanentFailure(/runs Kubernetes 1\.30, not the target 1\.31/),
    );
    await expect(adopt('adopted-missing')).rejects.toEqual(
      permanentFailure(/adopted cluster adopted-missing does not exist/),
    );
    expect(await clusterCount()).toBe(before);
  });

  it('creates node groups once, tagged and sized from the template, and reports them ACTIVE', async () => {
    await ensureGreen('green-nodes');
    const first = await provisioner.ensureFoundation({
      promotionId: 'promo-1',
      cluster: green('green-nodes'),
      version: '1.31',
    });
    expect(first).toEqual({ ready: false, message: 'creating node groups general, batch on green-nodes' });

    const request = { promotionId: 'promo-1', clusterName: 'green-nodes', version: '1.31' };
    for (let pass = 0; pass < 3; pass++) {
      expect(await ensureNodeGroups({ client: eks }, request, template)).toEqual({
        ready: true,
        message: 'node groups on green-nodes: general ACTIVE, batch ACTIVE',
      });
    }
    expect((await nodegroupNames('green-nodes')).sort()).toEqual(['batch', 'general']);

    const described = async (nodegroupName: string) =>
      (await eks.send(new DescribeNodegroupCommand({ clusterName: 'green-nodes', nodegroupName }))).nodegroup;
    expect(await described('general')).toMatchObject({
      version: '1.31',
      instanceTypes: ['m6i.large'],
      scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 3 },
      subnets: template.subnetIds,
      labels: { pool: 'general' },
      nodeRole: 'arn:aws:iam::123456789012:role/eks-node',
      tags: { team: 'platform', 'switchyard.io/promotion-id': 'promo-1' },
    });
    expect((await described('batch'))?.subnets).toEqual(['subnet-0b2']);
  });

  it('stops at the add-ons with a permanent error, since moto has no add-on API (covered by unit tests)', async () => {
    await ensureGreen('green-addons');
    const foundation = () =>
      provisioner.ensureFoundation({
        promotionId: 'promo-1',
        cluster: green('green-addons'),
        version: '1.31',
      });
    expect(await foundation()).toMatchObject({ ready: false });
    // A 404 from an unknown route must never be read as "add-on missing, create it" or as ready.
    await expect(foundation()).rejects.toEqual(permanentFailure(/list versions of add-on vpc-cni/));
  });

  it('tears down node groups, then the cluster; a second teardown is a no-op', async () => {
    await ensureGreen('green-teardown');
    await provisioner.ensureFoundation({
      promotionId: 'promo-1',
      cluster: green('green-teardown'),
      version: '1.31',
    });
    expect(await nodegroupNames('green-teardown')).toHaveLength(2);

    const passes = await tearDownFully(provisioner, 'promo-1', 'green-teardown');
    expect(passes.map((p) => p.message)).toEqual([
      'deleting node groups on green-teardown: batch ACTIVE, general ACTIVE',
      'EKS cluster green-teardown is DELETING',
      'EKS cluster green-teardown is gone',
    ]);
    expect((await eks.send(new ListClustersCommand({}))).clusters).not.toContain('green-teardown');
    expect(
      await provisioner.teardown({ promotionId: 'promo-1', cluster: { name: 'green-teardown' } }),
    ).toEqual({
      ready: true,
      message: 'EKS cluster green-teardown is gone',
    });
  });

  it('decommissions an untagged blue cluster only when it is explicitly allowed', async () => {
    await createDirectly('blue-legacy', { owner: 'terraform' }, '1.30');
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: 'blue-legacy',
        nodegroupName: 'legacy-workers',
        nodeRole: 'arn:aws:iam::123456789012:role/eks-node',
        subnets: [...template.subnetIds],
      }),
    );
    const strict = createEksProvisioner({ client: eks, template });
    await expect(
      strict.teardown({ promotionId: 'promo-1', cluster: { name: 'blue-legacy' } }),
    ).rejects.toEqual(permanentFailure(/has no switchyard.io\/promotion-id tag/));

    const passes = await tearDownFully(provisioner, 'promo-1', 'blue-legacy');
    expect(passes.at(-1)).toEqual({ ready: true, message: 'EKS cluster blue-legacy is gone' });
    expect(passes[0]?.message).toBe('deleting node groups on blue-legacy: legacy-workers ACTIVE');
  });

  it('builds a kubeconfig from the endpoint and CA that DescribeCluster reports', async () => {
    await ensureGreen('green-kubeconfig');
    const cluster = await describe('green-kubeconfig');
    const config = await eksKubeConfig({ client: eks, clusterName: 'green-kubeconfig' });

    expect(config.getCurrentCluster()).toMatchObject({
      server: cluster?.endpoint,
      caData: cluster?.certificateAuthority?.data,
      skipTLSVerify: false,
    });
    const options: { headers?: Record<string, string> } = {};
    await config.applyToHTTPSOptions(options);
    const token = options.headers?.Authorization?.replace(/^Bearer /, '') ?? '';
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.host).toBe(`sts.${env.awsRegion}.amazonaws.com`);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^testing\//);
  });

  it('refuses a kubeconfig for a cluster that does not exist', async () => {
    await expect(eksKubeConfig({ client: eks, clusterName: 'no-such-cluster' })).rejects.toBeInstanceOf(
      ProviderError,
    );
  });
});
