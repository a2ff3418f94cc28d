import {
  AccessDeniedException,
  type ClusterVersionInformation,
  DescribeClusterVersionsCommand,
  EKSClient,
  type VersionStatus,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eksCatalogCache } from '../../../src/providers/aws/eks-catalog.js';
import { offeredKubernetesVersions } from '../../../src/providers/aws/eks-versions.js';

const client = new EKSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const eks = mockClient(client);
beforeEach(() => eks.reset());
afterEach(() => eks.reset());

const version = (
  clusterVersion: string,
  versionStatus: VersionStatus = 'STANDARD_SUPPORT',
): ClusterVersionInformation => ({ clusterVersion, clusterType: 'eks', versionStatus });

describe('offeredKubernetesVersions', () => {
  it('follows nextToken through every page, asking for all versions', async () => {
    eks
      .on(DescribeClusterVersionsCommand)
      .resolves({ clusterVersions: [version('1.36'), version('1.35')], nextToken: 'page-2' })
      .on(DescribeClusterVersionsCommand, { nextToken: 'page-2' })
      .resolves({ clusterVersions: [version('1.34'), version('1.33')], nextToken: 'page-3' })
      .on(DescribeClusterVersionsCommand, { nextToken: 'page-3' })
      .resolves({ clusterVersions: [version('1.32', 'EXTENDED_SUPPORT')] });

    expect(await offeredKubernetesVersions({ client })).toEqual(['1.32', '1.33', '1.34', '1.35', '1.36']);
    // Page 3 is only answered to nextToken page-3, so its version in the result shows the tokens were
    // followed. (The paginator reuses one input object, so the recorded inputs show only its last state.)
    const calls = eks.commandCalls(DescribeClusterVersionsCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toMatchObject({ includeAll: true });
  });

  it('keeps versions in standard and extended support, drops UNSUPPORTED and versions without a status', async () => {
    eks.on(DescribeClusterVersionsCommand).resolves({
      clusterVersions: [
        version('1.33'),
        version('1.32', 'EXTENDED_SUPPORT'),
        version('1.31', 'UNSUPPORTED'),
        { clusterVersion: '1.30', clusterType: 'eks' },
        { versionStatus: 'STANDARD_SUPPORT' },
      ],
    });
    expect(await offeredKubernetesVersions({ client })).toEqual(['1.32', '1.33']);
  });

  it('sorts by minor number, so 1.9 comes before 1.10, and lists each version once', async () => {
    eks.on(DescribeClusterVersionsCommand).resolves({
      clusterVersions: [version('1.10'), version('1.9'), version('1.11'), version('1.10'), version('2.0')],
    });
    expect(await offeredKubernetesVersions({ client })).toEqual(['1.9', '1.10', '1.11', '2.0']);
  });

  it('answers an empty list when EKS lists nothing', async () => {
    eks.on(DescribeClusterVersionsCommand).resolves({});
    expect(await offeredKubernetesVersions({ client })).toEqual([]);
  });

  it('wraps a failure as a ProviderError that names the call, keeping the SDK error as cause', async () => {
    const denied = new AccessDeniedException({
      message: 'not authorized to perform: eks:DescribeClusterVersions',
      $metadata: { httpStatusCode: 403 },
    });
    eks.on(DescribeClusterVersionsCommand).rejects(denied);
    const error = await offeredKubernetesVersions({ client }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ProviderError',
      retryable: false,
      message:
        'list EKS Kubernetes versions: AccessDeniedException: not authorized to perform: eks:DescribeClusterVersions',
    });
    expect((error as Error).cause).toBe(denied);
  });

  it('asks once an hour with a catalog cache (every promotion checks its target against it), and again after a failure', async () => {
    eks
      .on(DescribeClusterVersionsCommand)
      .rejectsOnce(new Error('socket hang up'))
      .resolves({ clusterVersions: [version('1.35'), version('1.36')] });
    let clock = 0;
    const context = { client, catalog: eksCatalogCache(() => clock) };
    await expect(offeredKubernetesVersions(context)).rejects.toThrow(/socket hang up/);
    for (let promotion = 0; promotion < 3; promotion++) {
      expect(await offeredKubernetesVersions(context)).toEqual(['1.35', '1.36']);
    }
    expect(eks.commandCalls(DescribeClusterVersionsCommand)).toHaveLength(2);
    clock += 60 * 60_000;
    await offeredKubernetesVersions(context);
    expect(eks.commandCalls(DescribeClusterVersionsCommand)).toHaveLength(3);
  });

  it('does not keep an empty answer: the next promotion asks again', async () => {
    eks
      .on(DescribeClusterVersionsCommand)
      .resolvesOnce({ clusterVersions: [] })
      .resolves({ clusterVersions: [version('1.36')] });
    const context = { client, catalog: eksCatalogCache() };
    expect(await offeredKubernetesVersions(context)).toEqual([]);
    expect(await offeredKubernetesVersions(context)).toEqual(['1.36']);
    expect(await offeredKubernetesVersions(context)).toEqual(['1.36']);
    expect(eks.commandCalls(DescribeClusterVersionsCommand)).toHaveLength(2);
  });

  it('keeps a throttled call retryable', async () => {
    eks.on(DescribeClusterVersionsCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    await expect(offeredKubernetesVersions({ client })).rejects.toMatchObject({
      name: 'ProviderError',
      retryable: true,
      message: expect.stringMatching(/^list EKS Kubernetes versions: ThrottlingException: Rate exceeded$/),
    });
  });
});
