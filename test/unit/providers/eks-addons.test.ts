// The add-on states moto cannot show (CREATING, DEGRADED, failures; moto's add-ons, from
// tools/moto/eks_addons.py, are ACTIVE at once) are tested here against a mocked client.
import {
  type AddonStatus,
  type AddonVersionInfo,
  CreateAddonCommand,
  CreateNodegroupCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListNodegroupsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEksProvisioner, type EksClusterTemplate } from '../../../src/providers/aws/eks.js';
import { chooseAddonVersion, ensureAddons } from '../../../src/providers/aws/eks-addons.js';
import { eksCatalogCache } from '../../../src/providers/aws/eks-catalog.js';

const target = '1.31';
const client = new EKSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const eks = mockClient(client);
beforeEach(() => eks.reset());
afterEach(() => eks.reset());

const notFound = () => new ResourceNotFoundException({ message: 'No addon', $metadata: {} });
const version = (
  addonVersion: string,
  clusterVersion = target,
  defaultVersion = false,
): AddonVersionInfo => ({
  addonVersion,
  compatibilities: [{ clusterVersion, defaultVersion }],
});
/** DescribeAddonVersions answers for one add-on, the way EKS nests them. */
const offers = (addonName: string, versions: AddonVersionInfo[]) =>
  eks
    .on(DescribeAddonVersionsCommand, { addonName })
    .resolves({ addons: [{ addonName, addonVersions: versions }] });
const request = { promotionId: 'promo-1', clusterName: 'green', version: target };
const permanent = (message: RegExp) =>
  expect.objectContaining({ retryable: false, message: expect.stringMatching(message) });

describe('choosing an add-on version', () => {
  const compatible = [
    version('v1.18.9-eksbuild.1'),
    version('v1.18.10-eksbuild.1'),
    version('v1.17.0-eksbuild.3'),
  ];

  it('prefers the version EKS marks as default for the target', () => {
    const withDefault = [...compatible, version('v1.18.3-eksbuild.2', target, true)];
    expect(chooseAddonVersion({ name: 'vpc-cni' }, target, withDefault)).toBe('v1.18.3-eksbuild.2');
  });

  it('takes the newest otherwise, comparing numbers as numbers', () => {
    expect(chooseAddonVersion({ name: 'vpc-cni' }, target, compatible)).toBe('v1.18.10-eksbuild.1');
  });

  it('ignores a default flag given for another Kubernetes version', () => {
    const defaultElsewhere: AddonVersionInfo = {
      addonVersion: 'v1.17.0-eksbuild.3',
      compatibilities: [
        { clusterVersion: '1.30', defaultVersion: true },
        { clusterVersion: target, defaultVersion: false },
      ],
    };
    expect(chooseAddonVersion({ name: 'vpc-cni' }, target, [...compatible, defaultElsewhere])).toBe(
      'v1.18.10-eksbuild.1',
    );
  });

  it('keeps a pinned version that is compatible, and refuses one that is not', () => {
    expect(chooseAddonVersion({ name: 'coredns', version: 'v1.18.9-eksbuild.1' }, target, compatible)).toBe(
      'v1.18.9-eksbuild.1',
    );
    expect(() =>
      chooseAddonVersion({ name: 'coredns', version: 'v1.9.3-eksbuild.7' }, target, compatible),
    ).toThrow(
      permanent(/add-on coredns version v1\.9\.3-eksbuild\.7 is not compatible with Kubernetes 1\.31/),
    );
  });

  it('refuses an add-on with no compatible version at all', () => {
    expect(() => chooseAddonVersion({ name: 'typo-cni' }, target, [])).toThrow(
      permanent(/add-on typo-cni has no version compatible with Kubernetes 1\.31/),
    );
  });
});

describe('ensuring add-ons', () => {
  beforeEach(() => {
    offers('vpc-cni', [version('v1.18.3-eksbuild.2', target, true), version('v1.19.0-eksbuild.1')]);
    offers('coredns', [version('v1.11.3-eksbuild.1'), version('v1.11.1-eksbuild.9')]);
    offers('kube-proxy', [
      version('v1.31.0-eksbuild.5', target, true),
      version('v1.30.0-eksbuild.3', '1.30', true),
    ]);
  });

  it('installs the default add-ons once, then waits until they are ACTIVE', async () => {
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).resolves({});

    expect(await ensureAddons({ client }, request, [])).toEqual({
      ready: false,
      message:
        'installing add-ons vpc-cni v1.18.3-eksbuild.2, coredns v1.11.3-eksbuild.1, kube-proxy v1.31.0-eksbuild.5 on green',
    });
    expect(eks.commandCalls(DescribeAddonVersionsCommand).map((c) => c.args[0].input)).toContainEqual({
      addonName: 'coredns',
      kubernetesVersion: target,
    });
    expect(eks.commandCalls(CreateAddonCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ addonName: 'vpc-cni', addonVersion: 'v1.18.3-eksbuild.2' }),
      expect.objectContaining({ addonName: 'coredns', addonVersion: 'v1.11.3-eksbuild.1' }),
      {
        clusterName: 'green',
        addonName: 'kube-proxy',
        addonVersion: 'v1.31.0-eksbuild.5',
        resolveConflicts: 'OVERWRITE',
        tags: { 'switchyard.io/promotion-id': 'promo-1' },
        clientRequestToken: 'promo-1-addon-kube-proxy',
      },
    ]);

    // The next pass sees them coming up and creates nothing.
    eks.resetHistory();
    const installed = (addonName: string, addonVersion: string, status: AddonStatus) =>
      eks.on(DescribeAddonCommand, { addonName }).resolves({ addon: { addonName, addonVersion, status } });
    installed('vpc-cni', 'v1.18.3-eksbuild.2', 'ACTIVE');
    installed('coredns', 'v1.11.3-eksbuild.1', 'CREATING');
    installed('kube-proxy', 'v1.31.0-eksbuild.5', 'ACTIVE');
    expect(await ensureAddons({ client }, request, [])).toEqual({
      ready: false,
      message:
        'add-ons on green: vpc-cni v1.18.3-eksbuild.2 ACTIVE, coredns v1.11.3-eksbuild.1 CREATING, kube-proxy v1.31.0-eksbuild.5 ACTIVE',
    });
    expect(eks.commandCalls(CreateAddonCommand)).toHaveLength(0);

    installed('coredns', 'v1.11.3-eksbuild.1', 'ACTIVE');
    expect(await ensureAddons({ client }, request, [])).toMatchObject({
      ready: true,
      addons: {
        'vpc-cni': 'v1.18.3-eksbuild.2',
        coredns: 'v1.11.3-eksbuild.1',
        'kube-proxy': 'v1.31.0-eksbuild.5',
      },
    });
    expect(eks.commandCalls(CreateAddonCommand)).toHaveLength(0);
  });

  it('installs only the add-ons the template lists, at the pinned version', async () => {
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).resolves({});
    await ensureAddons({ client }, request, [{ name: 'coredns', version: 'v1.11.1-eksbuild.9' }]);
    expect(eks.commandCalls(CreateAddonCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ addonName: 'coredns', addonVersion: 'v1.11.1-eksbuild.9' }),
    ]);
  });

  it('refuses a pinned version incompatible with the target before creating anything', async () => {
    await expect(
      ensureAddons({ client }, request, [{ name: 'kube-proxy', version: 'v1.30.0-eksbuild.3' }]),
    ).rejects.toEqual(
      permanent(/add-on kube-proxy version v1\.30\.0-eksbuild\.3 is not compatible with Kubernetes 1\.31/),
    );
    expect(eks.commandCalls(CreateAddonCommand)).toHaveLength(0);
  });

  it('takes a create that lost a race (ResourceInUseException) as done', async () => {
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).rejects(new ResourceInUseException({ message: 'exists', $metadata: {} }));
    expect(await ensureAddons({ client }, request, [{ name: 'coredns' }])).toMatchObject({ ready: false });
  });

  it('fails permanently on an add-on that failed, or one installed at a version we would not accept', async () => {
    eks.on(DescribeAddonCommand).resolves({
      addon: {
        addonName: 'coredns',
        addonVersion: 'v1.11.3-eksbuild.1',
        status: 'CREATE_FAILED',
        health: { issues: [{ code: 'InsufficientNumberOfReplicas', message: 'no nodes' }] },
      },
    });
    await expect(ensureAddons({ client }, request, [{ name: 'coredns' }])).rejects.toEqual(
      permanent(/add-on coredns on green is CREATE_FAILED \(InsufficientNumberOfReplicas: no nodes\)/),
    );

    eks
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonName: 'coredns', addonVersion: 'v1.9.3', status: 'ACTIVE' } });
    await expect(ensureAddons({ client }, request, [{ name: 'coredns' }])).rejects.toEqual(
      permanent(/add-on coredns on green is at v1\.9\.3, which is not compatible with Kubernetes 1\.31/),
    );
    await expect(
      ensureAddons({ client }, request, [{ name: 'coredns', version: 'v1.11.1-eksbuild.9' }]),
    ).rejects.toEqual(permanent(/is at v1\.9\.3, but the template pins v1\.11\.1-eksbuild\.9/));
  });

  it('waits on DEGRADED (coredns reports it while its pods schedule) instead of failing', async () => {
    eks
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonName: 'coredns', addonVersion: 'v1.11.3-eksbuild.1', status: 'DEGRADED' } });
    expect(await ensureAddons({ client }, request, [{ name: 'coredns' }])).toMatchObject({ ready: false });
  });
});

describe('ensureFoundation', () => {
  const template: EksClusterTemplate = {
    roleArn: 'arn:aws:iam::123456789012:role/eks',
    subnetIds: ['subnet-1', 'subnet-2'],
    securityGroupIds: [],
    endpointPublicAccess: true,
    logging: [],
    tags: {},
    nodeGroups: [
      {
        name: 'general',
        instanceTypes: ['m6i.large'],
        minSize: 1,
        maxSize: 3,
        desiredSize: 2,
        nodeRoleArn: 'arn:aws:iam::123456789012:role/node',
      },
    ],
    addons: [{ name: 'coredns' }],
  };
  const cluster = (tags: Record<string, string>) =>
    eks
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'green', status: 'ACTIVE', version: target, tags } });

  it('records the installed add-on versions once node groups and add-ons are ACTIVE', async () => {
    cluster({ 'switchyard.io/promotion-id': 'promo-1' });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'general', status: 'ACTIVE' } });
    offers('coredns', [version('v1.11.3-eksbuild.1', target, true)]);
    eks.on(DescribeAddonCommand).resolves({
      addon: { addonName: 'coredns', addonVersion: 'v1.11.3-eksbuild.1', status: 'ACTIVE' },
    });
    const provisioner = createEksProvisioner({ client, template });
    expect(
      await provisioner.ensureFoundation({
        promotionId: 'promo-1',
        cluster: { name: 'green', adopted: false },
        version: target,
      }),
    ).toEqual({
      ready: true,
      message: 'node groups on green: general ACTIVE; add-ons on green: coredns v1.11.3-eksbuild.1 ACTIVE',
      addons: { coredns: 'v1.11.3-eksbuild.1' },
    });
  });

  it('reads its node groups and the add-on catalog beside the cluster, and creates nothing on a cluster not ours', async () => {
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    offers('coredns', [version('v1.11.3-eksbuild.1', target, true)]);
    let readsWhenDescribed = '';
    eks.on(DescribeClusterCommand).callsFake(() => {
      readsWhenDescribed = `node groups ${eks.commandCalls(DescribeNodegroupCommand).length}, catalog ${eks.commandCalls(DescribeAddonVersionsCommand).length}`;
      return { cluster: { name: 'green', status: 'ACTIVE', version: target, tags: { owner: 'someone' } } };
    });
    const provisioner = createEksProvisioner({ client, template });
    const green = { promotionId: 'promo-1', cluster: { name: 'green', adopted: false }, version: target };
    await expect(provisioner.ensureFoundation(green)).rejects.toThrow(/refusing to touch it/);
    expect(readsWhenDescribed).toBe('node groups 1, catalog 1');
    expect(eks.commandCalls(CreateNodegroupCommand)).toHaveLength(0);
    expect(eks.commandCalls(CreateAddonCommand)).toHaveLength(0);
  });

  it('on an adopted cluster only checks what is there and creates nothing', async () => {
    cluster({ owner: 'terraform' });
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ['workers'] });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'workers', status: 'ACTIVE' } });
    eks.on(ListAddonsCommand).resolves({ addons: ['vpc-cni', 'coredns'] });
    eks
      .on(DescribeAddonCommand, { addonName: 'vpc-cni' })
      .resolves({ addon: { addonName: 'vpc-cni', addonVersion: 'v1.18.3', status: 'ACTIVE' } })
      .on(DescribeAddonCommand, { addonName: 'coredns' })
      .resolves({ addon: { addonName: 'coredns', addonVersion: 'v1.11.3', status: 'UPDATING' } });
    const provisioner = createEksProvisioner({ client, template: undefined });
    const adopted = { promotionId: 'promo-1', cluster: { name: 'green', adopted: true }, version: target };

    expect(await provisioner.ensureFoundation(adopted)).toMatchObject({ ready: false });
    eks
      .on(DescribeAddonCommand, { addonName: 'coredns' })
      .resolves({ addon: { addonName: 'coredns', addonVersion: 'v1.11.3', status: 'ACTIVE' } });
    expect(await provisioner.ensureFoundation(adopted)).toMatchObject({
      ready: true,
      addons: { 'vpc-cni': 'v1.18.3', coredns: 'v1.11.3' },
    });
    expect(eks.commandCalls(CreateAddonCommand)).toHaveLength(0);
    expect(eks.commandCalls(CreateNodegroupCommand)).toHaveLength(0);
  });

  it('goes on to the add-ons in the same pass when the node group create answers ACTIVE, and is done when theirs do', async () => {
    cluster({ 'switchyard.io/promotion-id': 'promo-1' });
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'general', status: 'ACTIVE' } });
    offers('coredns', [version('v1.11.3-eksbuild.1', target, true)]);
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).resolves({
      addon: { addonName: 'coredns', addonVersion: 'v1.11.3-eksbuild.1', status: 'ACTIVE' },
    });
    const provisioner = createEksProvisioner({ client, template });
    const green = { promotionId: 'promo-1', cluster: { name: 'green', adopted: false }, version: target };
    expect(await provisioner.ensureFoundation(green)).toEqual({
      ready: true,
      message: 'node groups on green: general ACTIVE; add-ons on green: coredns v1.11.3-eksbuild.1 ACTIVE',
      addons: { coredns: 'v1.11.3-eksbuild.1' },
    });
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(eks.commandCalls(CreateNodegroupCommand)).toHaveLength(1);
    expect(eks.commandCalls(CreateAddonCommand)).toHaveLength(1);
  });

  it('comes back to look when a create answers CREATING, or finds the resource made by an earlier pass', async () => {
    cluster({ 'switchyard.io/promotion-id': 'promo-1' });
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'general', status: 'CREATING' } });
    const provisioner = createEksProvisioner({ client, template });
    const green = { promotionId: 'promo-1', cluster: { name: 'green', adopted: false }, version: target };
    expect(await provisioner.ensureFoundation(green)).toEqual({
      ready: false,
      message: 'creating node groups general on green',
    });
    eks.on(CreateNodegroupCommand).rejects(new ResourceInUseException({ message: 'exists', $metadata: {} }));
    expect(await provisioner.ensureFoundation(green)).toMatchObject({ ready: false });
    expect(eks.commandCalls(DescribeAddonCommand)).toHaveLength(0);
  });

  it("asks EKS's add-on catalog once for the dry run and every foundation pass, and again when it failed", async () => {
    cluster({ 'switchyard.io/promotion-id': 'promo-1' });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'general', status: 'ACTIVE' } });
    eks
      .on(DescribeAddonVersionsCommand, { addonName: 'coredns' })
      .rejectsOnce(new Error('socket hang up'))
      .resolves({
        addons: [{ addonName: 'coredns', addonVersions: [version('v1.11.3-eksbuild.1', target, true)] }],
      });
    eks.on(DescribeAddonCommand).resolves({
      addon: { addonName: 'coredns', addonVersion: 'v1.11.3-eksbuild.1', status: 'CREATING' },
    });
    let clock = 0;
    const provisioner = createEksProvisioner({ client, template, now: () => clock });
    const green = { promotionId: 'promo-1', cluster: { name: 'green', adopted: false }, version: target };
    await expect(provisioner.addonVersions(target)).rejects.toThrow(/socket hang up/);
    expect(await provisioner.addonVersions(target)).toEqual({ coredns: 'v1.11.3-eksbuild.1' });
    for (let pass = 0; pass < 3; pass++) await provisioner.ensureFoundation(green);
    expect(eks.commandCalls(DescribeAddonVersionsCommand)).toHaveLength(2);
    // An hour on, the catalog may have a new build: EKS is asked again.
    clock += 60 * 60_000;
    await provisioner.ensureFoundation(green);
    expect(eks.commandCalls(DescribeAddonVersionsCommand)).toHaveLength(3);
  });

  it("shares the catalog's answers between provisioners given one catalog (one per process)", async () => {
    cluster({ 'switchyard.io/promotion-id': 'promo-1' });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'general', status: 'ACTIVE' } });
    offers('coredns', [version('v1.11.3-eksbuild.1', target, true)]);
    eks.on(DescribeAddonCommand).resolves({
      addon: { addonName: 'coredns', addonVersion: 'v1.11.3-eksbuild.1', status: 'ACTIVE' },
    });
    const catalog = eksCatalogCache();
    const green = { promotionId: 'promo-1', cluster: { name: 'green', adopted: false }, version: target };
    // Two platforms' provisioners (or one platform's, for each role assignment).
    await createEksProvisioner({ client, template, catalog }).ensureFoundation(green);
    await createEksProvisioner({ client, template, catalog }).ensureFoundation(green);
    expect(eks.commandCalls(DescribeAddonVersionsCommand)).toHaveLength(1);
    // Without a shared one, each keeps its own.
    await createEksProvisioner({ client, template }).ensureFoundation(green);
    expect(eks.commandCalls(DescribeAddonVersionsCommand)).toHaveLength(2);
  });
});
