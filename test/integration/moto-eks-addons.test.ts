// The EKS managed add-on API that tools/moto/eks_addons.py adds to moto, driven through the AWS SDK v3
// client the way Switchyard drives it. The version catalog there is test data, not AWS's.
import {
  type AddonInfo,
  CreateAddonCommand,
  CreateClusterCommand,
  DeleteAddonCommand,
  DeleteClusterCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  ListAddonsCommand,
  paginateDescribeAddonVersions,
  paginateListAddons,
  UpdateAddonCommand,
} from '@aws-sdk/client-eks';
import { expect, it } from 'vitest';
import { describeWithServers, motoClients, testEnvironment } from './environment.js';

const catalogAddons = ['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni'];
const catalogVersions = ['1.33', '1.34', '1.35', '1.36'];

describeWithServers('EKS managed add-ons on moto', () => {
  const env = testEnvironment();
  const aws = motoClients();
  const eks = aws.eks;

  const createCluster = (name: string, version = '1.34') =>
    eks.send(
      new CreateClusterCommand({
        name,
        version,
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
        resourcesVpcConfig: { subnetIds: ['subnet-0a1'] },
      }),
    );
  const allVersions = async (input: {
    addonName?: string;
    kubernetesVersion?: string;
    maxResults?: number;
  }) => {
    const addons: AddonInfo[] = [];
    let pages = 0;
    for await (const page of paginateDescribeAddonVersions({ client: eks }, input)) {
      pages++;
      addons.push(...(page.addons ?? []));
    }
    return { addons, pages };
  };
  const defaultsFor = (addons: readonly AddonInfo[], clusterVersion: string) =>
    addons.flatMap((addon) =>
      (addon.addonVersions ?? [])
        .filter((v) =>
          v.compatibilities?.some((c) => c.clusterVersion === clusterVersion && c.defaultVersion === true),
        )
        .map((v) => `${addon.addonName} ${v.addonVersion}`),
    );
  const rejection = (name: string, message: RegExp) =>
    expect.objectContaining({
      name,
      message: expect.stringMatching(message),
      $metadata: expect.objectContaining({ httpStatusCode: expect.any(Number) }),
    });

  it('lists the catalog, with exactly one default version per add-on and Kubernetes version', async () => {
    const { addons } = await allVersions({});
    expect(addons.map((a) => a.addonName)).toEqual(catalogAddons);
    for (const addon of addons) {
      expect(addon).toMatchObject({ publisher: 'eks', owner: 'aws', type: expect.any(String) });
      expect(addon.addonVersions?.length).toBeGreaterThan(1);
    }
    for (const clusterVersion of catalogVersions) {
      const defaults = defaultsFor(addons, clusterVersion);
      expect(defaults.map((d) => d.split(' ')[0]).sort()).toEqual(catalogAddons);
    }
  });

  it('filters versions by add-on name and Kubernetes version', async () => {
    const { addons } = await allVersions({ addonName: 'vpc-cni', kubernetesVersion: '1.34' });
    expect(addons.map((a) => a.addonName)).toEqual(['vpc-cni']);
    const versions = addons[0]?.addonVersions ?? [];
    expect(versions.length).toBeGreaterThan(1);
    for (const version of versions) {
      expect(version.addonVersion).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      expect(version.compatibilities).toEqual([
        { clusterVersion: '1.34', platformVersions: ['*'], defaultVersion: expect.any(Boolean) },
      ]);
    }
    expect(defaultsFor(addons, '1.34')).toEqual(['vpc-cni v1.20.4-eksbuild.2']);
    // The default is EKS's choice, not simply the newest version.
    expect(versions[0]?.addonVersion).not.toBe('v1.20.4-eksbuild.2');

    const onlyNewer = await allVersions({ addonName: 'kube-proxy', kubernetesVersion: '1.36' });
    expect(onlyNewer.addons[0]?.addonVersions?.map((v) => v.addonVersion)).toEqual(['v1.36.0-eksbuild.1']);
    expect((await allVersions({ kubernetesVersion: '1.20' })).addons).toEqual([]);
    expect((await allVersions({ addonName: 'no-such-addon' })).addons).toEqual([]);
  });

  it('pages DescribeAddonVersions with maxResults and nextToken', async () => {
    const first = await eks.send(new DescribeAddonVersionsCommand({ maxResults: 3 }));
    expect(first.addons?.map((a) => a.addonName)).toEqual(catalogAddons.slice(0, 3));
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await eks.send(
      new DescribeAddonVersionsCommand({ maxResults: 3, nextToken: first.nextToken }),
    );
    expect(second.addons?.map((a) => a.addonName)).toEqual(catalogAddons.slice(3));
    expect(second.nextToken).toBeUndefined();

    const paged = await allVersions({ maxResults: 1 });
    expect(paged.pages).toBe(catalogAddons.length);
    expect(paged.addons.map((a) => a.addonName)).toEqual(catalogAddons);
    await expect(eks.send(new DescribeAddonVersionsCommand({ nextToken: 'not-a-token' }))).rejects.toEqual(
      rejection('InvalidParameterException', /nextToken/),
    );
  });

  it('creates an add-on once per client request token, describes, lists and deletes it', async () => {
    await createCluster('addons-lifecycle');
    const create = (clientRequestToken: string) =>
      eks.send(
        new CreateAddonCommand({
          clusterName: 'addons-lifecycle',
          addonName: 'vpc-cni',
          resolveConflicts: 'OVERWRITE',
          tags: { 'switchyard.io/promotion-id': 'promo-1' },
          clientRequestToken,
        }),
      );

    const created = (await create('promo-1-addon-vpc-cni')).addon;
    expect(created).toMatchObject({
      addonName: 'vpc-cni',
      clusterName: 'addons-lifecycle',
      status: 'ACTIVE',
      addonVersion: 'v1.20.4-eksbuild.2',
      health: { issues: [] },
      tags: { 'switchyard.io/promotion-id': 'promo-1' },
    });
    expect(created?.addonArn).toMatch(
      new RegExp(`^arn:aws:eks:${env.awsRegion}:\\d{12}:addon/addons-lifecycle/vpc-cni/[0-9a-f-]{36}$`),
    );
    expect(created?.createdAt).toBeInstanceOf(Date);
    expect(created?.modifiedAt).toBeInstanceOf(Date);

    // A retry with the same token is the same request: the same add-on, no error.
    const repeated = (await create('promo-1-addon-vpc-cni')).addon;
    expect(repeated?.addonArn).toBe(created?.addonArn);
    await expect(create('someone-else')).rejects.toEqual(rejection('ResourceInUseException', /exists/));

    const described = await eks.send(
      new DescribeAddonCommand({ clusterName: 'addons-lifecycle', addonName: 'vpc-cni' }),
    );
    expect(described.addon).toEqual(created);

    const pinned = await eks.send(
      new CreateAddonCommand({
        clusterName: 'addons-lifecycle',
        addonName: 'kube-proxy',
        addonVersion: 'v1.34.0-eksbuild.4',
      }),
    );
    expect(pinned.addon?.addonVersion).toBe('v1.34.0-eksbuild.4');
    const listed = await eks.send(new ListAddonsCommand({ clusterName: 'addons-lifecycle' }));
    expect(listed.addons).toEqual(['kube-proxy', 'vpc-cni']);
    expect(listed.nextToken).toBeUndefined();
    const names: string[] = [];
    for await (const page of paginateListAddons(
      { client: eks, pageSize: 1 },
      { clusterName: 'addons-lifecycle' },
    )) {
      names.push(...(page.addons ?? []));
    }
    expect(names).toEqual(['kube-proxy', 'vpc-cni']);

    const deleted = await eks.send(
      new DeleteAddonCommand({ clusterName: 'addons-lifecycle', addonName: 'vpc-cni' }),
    );
    expect(deleted.addon).toMatchObject({ addonName: 'vpc-cni', status: 'DELETING' });
    await expect(
      eks.send(new DescribeAddonCommand({ clusterName: 'addons-lifecycle', addonName: 'vpc-cni' })),
    ).rejects.toEqual(rejection('ResourceNotFoundException', /No addon: vpc-cni/));
    expect((await eks.send(new ListAddonsCommand({ clusterName: 'addons-lifecycle' }))).addons).toEqual([
      'kube-proxy',
    ]);
    await expect(
      eks.send(new DeleteAddonCommand({ clusterName: 'addons-lifecycle', addonName: 'vpc-cni' })),
    ).rejects.toEqual(rejection('ResourceNotFoundException', /No addon: vpc-cni/));
  });

  it('refuses versions the cluster cannot run and add-ons outside the catalog', async () => {
    await createCluster('addons-invalid', '1.33');
    const create = (addonName: string, addonVersion?: string) =>
      eks.send(new CreateAddonCommand({ clusterName: 'addons-invalid', addonName, addonVersion }));
    await expect(create('coredns', 'v1.13.1-eksbuild.1')).rejects.toEqual(
      rejection('InvalidParameterException', /not supported for Kubernetes version 1\.33/),
    );
    await expect(create('no-such-addon')).rejects.toEqual(
      rejection('InvalidParameterException', /no-such-addon/),
    );
    expect((await create('coredns')).addon?.addonVersion).toBe('v1.12.1-eksbuild.2');
  });

  it('updates an add-on to another compatible version, once per client request token', async () => {
    await createCluster('addons-update');
    await eks.send(new CreateAddonCommand({ clusterName: 'addons-update', addonName: 'vpc-cni' }));
    const update = (addonVersion: string, clientRequestToken: string) =>
      eks.send(
        new UpdateAddonCommand({
          clusterName: 'addons-update',
          addonName: 'vpc-cni',
          addonVersion,
          clientRequestToken,
        }),
      );
    const first = (await update('v1.21.1-eksbuild.1', 'update-1')).update;
    expect(first).toMatchObject({
      type: 'AddonUpdate',
      status: 'Successful',
      params: [{ type: 'AddonVersion', value: 'v1.21.1-eksbuild.1' }],
      errors: [],
    });
    expect((await update('v1.21.1-eksbuild.1', 'update-1')).update?.id).toBe(first?.id);
    const described = await eks.send(
      new DescribeAddonCommand({ clusterName: 'addons-update', addonName: 'vpc-cni' }),
    );
    expect(described.addon?.addonVersion).toBe('v1.21.1-eksbuild.1');
    await expect(update('v9.9.9-eksbuild.1', 'update-2')).rejects.toEqual(
      rejection('InvalidParameterException', /v9\.9\.9/),
    );
  });

  it('answers ResourceNotFoundException for a cluster that does not exist', async () => {
    const notFound = rejection('ResourceNotFoundException', /No cluster found for name: no-such-cluster/);
    const clusterName = 'no-such-cluster';
    await expect(eks.send(new CreateAddonCommand({ clusterName, addonName: 'vpc-cni' }))).rejects.toEqual(
      notFound,
    );
    await expect(eks.send(new DescribeAddonCommand({ clusterName, addonName: 'vpc-cni' }))).rejects.toEqual(
      notFound,
    );
    await expect(eks.send(new ListAddonsCommand({ clusterName }))).rejects.toEqual(notFound);
    await expect(eks.send(new DeleteAddonCommand({ clusterName, addonName: 'vpc-cni' }))).rejects.toEqual(
      notFound,
    );
    const error = await eks.send(new ListAddonsCommand({ clusterName })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('drops the add-ons with their cluster', async () => {
    await createCluster('addons-gone');
    await eks.send(new CreateAddonCommand({ clusterName: 'addons-gone', addonName: 'coredns' }));
    await eks.send(new DeleteClusterCommand({ name: 'addons-gone' }));
    await createCluster('addons-gone');
    expect((await eks.send(new ListAddonsCommand({ clusterName: 'addons-gone' }))).addons).toEqual([]);
  });
});
