import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import type { ClusterProvisioner, FoundationObservation, Observation } from '../../src/domain/ports.js';
import { createEksProvisioner, type EksClusterTemplate } from '../../src/providers/aws/eks.js';
import { eksKubeConfig } from '../../src/providers/aws/eks-kubeconfig.js';
import { describeNodeGroups, ensureNodeGroups } from '../../src/providers/aws/eks-nodegroups.js';
import { describeWithServers, motoClients, testEnvironment } from './environment.js';

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
  const aws = motoClients();
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
    // moto's create answers with each group already ACTIVE, so the pass that creates them reports them
    // ready (the waiting in between is in test/unit/providers/eks-addons.test.ts); later passes only look.
    const request = { promotionId: 'promo-1', clusterName: 'green-nodes', version: '1.31' };
    for (let pass = 0; pass < 3; pass++) {
      const described = await describeNodeGroups({ client: eks }, 'green-nodes', template);
      expect(await ensureNodeGroups({ client: eks }, request, template, described)).toEqual({
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

  /** ensureFoundation until it reports ready (or fails), returning every observation on the way. */
  const buildFoundation = async (p: ClusterProvisioner, name: string, version: string, adopted = false) => {
    const passes: FoundationObservation[] = [];
    while (passes.length < 10 && !passes.at(-1)?.ready) {
      passes.push(
        await p.ensureFoundation({ promotionId: 'promo-1', cluster: green(name, adopted), version }),
      );
    }
    return passes;
  };
  const addonsOn = async (clusterName: string) =>
    ((await eks.send(new ListAddonsCommand({ clusterName }))).addons ?? []).sort();
  const describeAddon = async (clusterName: string, addonName: string) =>
    (await eks.send(new DescribeAddonCommand({ clusterName, addonName }))).addon;

  it('creates node groups, then the default add-ons at their default versions for the target', async () => {
    // The versions come from tools/moto/eks_addons.py's test catalog. For 1.34 the vpc-cni default is
    // not its newest version, so this also shows the default is what gets installed.
    const defaults = {
      'vpc-cni': 'v1.20.4-eksbuild.2',
      coredns: 'v1.12.2-eksbuild.4',
      'kube-proxy': 'v1.34.1-eksbuild.3',
    };
    await ensureGreen('green-addons', 'promo-1', '1.34');
    const passes = await buildFoundation(provisioner, 'green-addons', '1.34');

    const groups = 'node groups on green-addons: general ACTIVE, batch ACTIVE';
    // moto's create calls answer ACTIVE at once, so one pass creates and judges everything; the states
    // in between (CREATING, waiting) are in test/unit/providers/eks-addons.test.ts.
    expect(passes).toEqual([
      {
        ready: true,
        message: `${groups}; add-ons on green-addons: vpc-cni v1.20.4-eksbuild.2 ACTIVE, coredns v1.12.2-eksbuild.4 ACTIVE, kube-proxy v1.34.1-eksbuild.3 ACTIVE`,
        addons: defaults,
      },
    ]);
    expect(await addonsOn('green-addons')).toEqual(['coredns', 'kube-proxy', 'vpc-cni']);
    for (const [addonName, addonVersion] of Object.entries(defaults)) {
      expect(await describeAddon('green-addons', addonName)).toMatchObject({
        addonVersion,
        status: 'ACTIVE',
        tags: { 'switchyard.io/promotion-id': 'promo-1' },
      });
    }

    // Every later pass only observes: same answer, nothing created.
    const arns = await Promise.all(
      Object.keys(defaults).map(async (name) => (await describeAddon('green-addons', name))?.addonArn),
    );
    for (let pass = 0; pass < 2; pass++) {
      expect(
        await provisioner.ensureFoundation({
          promotionId: 'promo-1',
          cluster: green('green-addons'),
          version: '1.34',
        }),
      ).toEqual(passes[0]);
    }
    expect(
      await Promise.all(
        Object.keys(defaults).map(async (name) => (await describeAddon('green-addons', name))?.addonArn),
      ),
    ).toEqual(arns);
  });

  it('installs the add-ons the template names, at pinned versions where it pins them', async () => {
    const pinning = createEksProvisioner({
      client: eks,
      template: {
        ...template,
        addons: [{ name: 'vpc-cni', version: 'v1.21.1-eksbuild.1' }, { name: 'aws-ebs-csi-driver' }],
      },
    });
    await ensureGreen('green-pinned', 'promo-1', '1.35');
    const passes = await buildFoundation(pinning, 'green-pinned', '1.35');
    expect(passes.at(-1)).toMatchObject({
      ready: true,
      addons: { 'vpc-cni': 'v1.21.1-eksbuild.1', 'aws-ebs-csi-driver': 'v1.46.0-eksbuild.1' },
    });
    expect(await addonsOn('green-pinned')).toEqual(['aws-ebs-csi-driver', 'vpc-cni']);
  });

  it('refuses a pinned version the target cannot run, and an installed add-on at another version', async () => {
    const pinned = (version: string) =>
      createEksProvisioner({
        client: eks,
        template: { ...template, addons: [{ name: 'coredns', version }] },
      });
    await ensureGreen('green-bad-pin', 'promo-1', '1.33');
    await expect(buildFoundation(pinned('v1.13.1-eksbuild.1'), 'green-bad-pin', '1.33')).rejects.toEqual(
      permanentFailure(/coredns version v1\.13\.1-eksbuild\.1 is not compatible with Kubernetes 1\.33/),
    );
    expect(await addonsOn('green-bad-pin')).toEqual([]);

    // Installed by someone (or something) else at a version the template does not pin.
    await eks.send(
      new CreateAddonCommand({
        clusterName: 'green-bad-pin',
        addonName: 'coredns',
        addonVersion: 'v1.12.1-eksbuild.2',
      }),
    );
    await expect(buildFoundation(pinned('v1.12.2-eksbuild.4'), 'green-bad-pin', '1.33')).rejects.toEqual(
      permanentFailure(/coredns on green-bad-pin is at v1\.12\.1-eksbuild\.2, but the template pins/),
    );
  });

  it('checks the add-ons an adopted cluster has, installing none', async () => {
    await createDirectly('adopted-addons', { owner: 'terraform' }, '1.36');
    await eks.send(
      new CreateAddonCommand({
        clusterName: 'adopted-addons',
        addonName: 'kube-proxy',
        addonVersion: 'v1.36.0-eksbuild.1',
      }),
    );
    const passes = await buildFoundation(provisioner, 'adopted-addons', '1.36', true);
    expect(passes).toEqual([
      {
        ready: true,
        message:
          'adopted cluster adopted-addons has no managed node groups; add-ons on adopted-addons: kube-proxy v1.36.0-eksbuild.1 ACTIVE',
        addons: { 'kube-proxy': 'v1.36.0-eksbuild.1' },
      },
    ]);
    expect(await addonsOn('adopted-addons')).toEqual(['kube-proxy']);
  });

  it('tears down node groups, then the cluster with its add-ons; a second teardown is a no-op', async () => {
    await ensureGreen('green-teardown', 'promo-1', '1.34');
    expect((await buildFoundation(provisioner, 'green-teardown', '1.34')).at(-1)?.ready).toBe(true);
    expect(await nodegroupNames('green-teardown')).toHaveLength(2);
    expect(await addonsOn('green-teardown')).toHaveLength(3);

    const passes = await tearDownFully(provisioner, 'promo-1', 'green-teardown');
    // Moto deletes a cluster at once: the look right after DeleteCluster finds it gone in that pass.
    expect(passes.map((p) => p.message)).toEqual([
      'deleting node groups on green-teardown: batch ACTIVE, general ACTIVE',
      'EKS cluster green-teardown is gone',
    ]);
    expect((await eks.send(new ListClustersCommand({}))).clusters).not.toContain('green-teardown');
    await expect(eks.send(new ListAddonsCommand({ clusterName: 'green-teardown' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
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
