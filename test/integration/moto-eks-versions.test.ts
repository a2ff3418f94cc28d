// DescribeClusterVersions, which tools/moto/eks_versions.py adds to moto, driven through the AWS SDK v3
// client the way Switchyard drives it. The catalog there is test data, not AWS's: 1.33 to 1.36 in
// standard support (1.36 the default), 1.32 in extended support, 1.31 unsupported.
import {
  type ClusterVersionInformation,
  CreateAddonCommand,
  CreateClusterCommand,
  DescribeClusterVersionsCommand,
  type DescribeClusterVersionsCommandInput,
  paginateDescribeClusterVersions,
} from '@aws-sdk/client-eks';
import { expect, it } from 'vitest';
import { offeredKubernetesVersions } from '../../src/providers/aws/eks-versions.js';
import { describeWithServers, motoClients } from './environment.js';

const offered = ['1.32', '1.33', '1.34', '1.35', '1.36'];

describeWithServers('EKS cluster versions on moto', () => {
  const aws = motoClients();
  const eks = aws.eks;

  const allVersions = async (input: DescribeClusterVersionsCommandInput) => {
    const versions: ClusterVersionInformation[] = [];
    let pages = 0;
    for await (const page of paginateDescribeClusterVersions({ client: eks }, input)) {
      pages++;
      versions.push(...(page.clusterVersions ?? []));
    }
    return { versions, pages };
  };
  const names = async (input: DescribeClusterVersionsCommandInput) =>
    (await allVersions(input)).versions.map((v) => v.clusterVersion);
  const rejection = (name: string, message: RegExp) =>
    expect.objectContaining({
      name,
      message: expect.stringMatching(message),
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });

  it('lists the versions a cluster can be created with, newest first, with the newest as default', async () => {
    const { versions } = await allVersions({});
    expect(versions.map((v) => [v.clusterVersion, v.versionStatus, v.defaultVersion])).toEqual([
      ['1.36', 'STANDARD_SUPPORT', true],
      ['1.35', 'STANDARD_SUPPORT', false],
      ['1.34', 'STANDARD_SUPPORT', false],
      ['1.33', 'STANDARD_SUPPORT', false],
      ['1.32', 'EXTENDED_SUPPORT', false],
    ]);
    for (const version of versions) {
      expect(version).toMatchObject({
        clusterType: 'eks',
        defaultPlatformVersion: expect.stringMatching(/^eks\.\d+$/),
        status: expect.stringMatching(/^(standard|extended)-support$/),
        kubernetesPatchVersion: expect.stringMatching(new RegExp(`^${version.clusterVersion}\\.\\d+$`)),
      });
      const { releaseDate, endOfStandardSupportDate, endOfExtendedSupportDate } = version;
      expect(releaseDate).toBeInstanceOf(Date);
      expect(endOfStandardSupportDate?.getTime()).toBeGreaterThan(releaseDate?.getTime() ?? Infinity);
      expect(endOfExtendedSupportDate?.getTime()).toBeGreaterThan(
        endOfStandardSupportDate?.getTime() ?? Infinity,
      );
    }
    expect(versions.find((v) => v.clusterVersion === '1.33')).toMatchObject({
      releaseDate: new Date('2025-05-29T00:00:00Z'),
      endOfStandardSupportDate: new Date('2026-07-29T00:00:00Z'),
      endOfExtendedSupportDate: new Date('2027-07-29T00:00:00Z'),
    });
  });

  it('lists the unsupported versions too with includeAll', async () => {
    const { versions } = await allVersions({ includeAll: true });
    expect(versions.map((v) => v.clusterVersion)).toEqual(['1.36', '1.35', '1.34', '1.33', '1.32', '1.31']);
    expect(versions.at(-1)).toMatchObject({ versionStatus: 'UNSUPPORTED', status: 'unsupported' });
  });

  it('filters by version, status, default and cluster type', async () => {
    expect(await names({ clusterVersions: ['1.35', '1.33', '1.20'] })).toEqual(['1.35', '1.33']);
    expect(await names({ versionStatus: 'EXTENDED_SUPPORT' })).toEqual(['1.32']);
    expect(await names({ status: 'standard-support' })).toEqual(['1.36', '1.35', '1.34', '1.33']);
    expect(await names({ versionStatus: 'UNSUPPORTED', includeAll: true })).toEqual(['1.31']);
    expect(await names({ defaultOnly: true })).toEqual(['1.36']);
    expect(await names({ clusterType: 'eks' })).toEqual(['1.36', '1.35', '1.34', '1.33', '1.32']);
    expect(await names({ clusterType: 'eks-local-outposts' })).toEqual([]);
    await expect(
      eks.send(new DescribeClusterVersionsCommand({ versionStatus: 'SOMETIMES' as 'UNSUPPORTED' })),
    ).rejects.toEqual(rejection('InvalidParameterException', /versionStatus/));
  });

  it('pages with maxResults and nextToken', async () => {
    const first = await eks.send(new DescribeClusterVersionsCommand({ maxResults: 2, includeAll: true }));
    expect(first.clusterVersions?.map((v) => v.clusterVersion)).toEqual(['1.36', '1.35']);
    expect(first.nextToken).toEqual(expect.any(String));

    const paged = await allVersions({ maxResults: 2, includeAll: true });
    expect(paged.pages).toBe(3);
    expect(paged.versions.map((v) => v.clusterVersion)).toEqual([
      '1.36',
      '1.35',
      '1.34',
      '1.33',
      '1.32',
      '1.31',
    ]);
    await expect(eks.send(new DescribeClusterVersionsCommand({ nextToken: 'not-a-token' }))).rejects.toEqual(
      rejection('InvalidParameterException', /nextToken/),
    );
    await expect(eks.send(new DescribeClusterVersionsCommand({ maxResults: 101 }))).rejects.toEqual(
      rejection('InvalidParameterException', /maxResults/),
    );
  });

  it('gives the adapter the offered versions, oldest first, without the unsupported one', async () => {
    expect(await offeredKubernetesVersions({ client: eks })).toEqual(offered);
  });

  it('offers add-ons for every offered version (one list of versions for both catalogs)', async () => {
    for (const version of offered) {
      const name = `versions-${version.replace('.', '-')}`;
      await eks.send(
        new CreateClusterCommand({
          name,
          version,
          roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
          resourcesVpcConfig: { subnetIds: ['subnet-0a1'] },
        }),
      );
      const created = await eks.send(new CreateAddonCommand({ clusterName: name, addonName: 'kube-proxy' }));
      expect(created.addon?.addonVersion).toMatch(
        new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+-eksbuild`),
      );
    }
  });
});
