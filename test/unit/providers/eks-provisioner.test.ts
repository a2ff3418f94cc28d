// What moto cannot show: its clusters and node groups are ACTIVE at once and deleted at once, and it never
// loses a create race. These states come from a mocked client; the happy paths run against moto in
// test/integration/eks-provisioner.test.ts.
import {
  type Cluster,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteClusterCommand,
  DeleteFargateProfileCommand,
  DeleteNodegroupCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListFargateProfilesCommand,
  ListNodegroupsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEksProvisioner, type EksClusterTemplate } from '../../../src/providers/aws/eks.js';
import { requestToken } from '../../../src/providers/aws/eks-common.js';

const client = new EKSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const eks = mockClient(client);
beforeEach(() => eks.reset());

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
  addons: [],
};
const provisioner = createEksProvisioner({ client, template });
const ours = { 'switchyard.io/promotion-id': 'promo-1' };
const notFound = () => new ResourceNotFoundException({ message: 'No cluster found', $metadata: {} });
const inUse = () => new ResourceInUseException({ message: 'already exists', $metadata: {} });
const describes = (cluster: Cluster) => eks.on(DescribeClusterCommand).resolves({ cluster });
const ensureGreen = () =>
  provisioner.ensureCluster({
    promotionId: 'promo-1',
    cluster: { name: 'green', adopted: false },
    version: '1.31',
    idempotencyToken: 'promo-1-provision',
  });
const permanent = (message: RegExp) =>
  expect.objectContaining({ retryable: false, message: expect.stringMatching(message) });

describe('ensureCluster', () => {
  it.each([
    ['CREATING', { ready: false, message: 'EKS cluster green is CREATING' }],
    ['UPDATING', { ready: false, message: 'EKS cluster green is UPDATING' }],
    ['ACTIVE', { ready: true, message: 'EKS cluster green is ACTIVE' }],
    ['FAILED', { ready: false, failed: true, message: 'EKS cluster green is FAILED' }],
  ])('reports a cluster that is %s', async (status, expected) => {
    describes({ name: 'green', status: status as Cluster['status'], version: '1.31', tags: ours });
    expect(await ensureGreen()).toEqual(expected);
    expect(eks.commandCalls(CreateClusterCommand)).toHaveLength(0);
  });

  it('creates with the promotion token and reports the new cluster from the create response', async () => {
    eks.on(DescribeClusterCommand).rejects(notFound());
    eks
      .on(CreateClusterCommand)
      .resolves({ cluster: { name: 'green', status: 'CREATING', version: '1.31', tags: ours } });
    expect(await ensureGreen()).toEqual({ ready: false, message: 'EKS cluster green is CREATING' });
    expect(eks.commandCalls(CreateClusterCommand)[0]?.args[0].input).toMatchObject({
      name: 'green',
      version: '1.31',
      clientRequestToken: 'promo-1-provision',
    });
  });

  it('after losing a create race, judges whatever cluster won it', async () => {
    eks
      .on(DescribeClusterCommand)
      .rejectsOnce(notFound())
      .resolves({
        cluster: {
          name: 'green',
          status: 'CREATING',
          version: '1.31',
          tags: { 'switchyard.io/promotion-id': 'x' },
        },
      });
    eks.on(CreateClusterCommand).rejects(inUse());
    await expect(ensureGreen()).rejects.toEqual(permanent(/belongs to promotion x/));
  });

  it('passes on a retryable error from AWS as retryable', async () => {
    eks
      .on(DescribeClusterCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(ensureGreen()).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/green/),
    });
  });
});

describe('node groups', () => {
  const foundation = () =>
    provisioner.ensureFoundation({
      promotionId: 'promo-1',
      cluster: { name: 'green', adopted: false },
      version: '1.31',
    });
  beforeEach(() => describes({ name: 'green', status: 'ACTIVE', version: '1.31', tags: ours }));

  it('waits while a node group is CREATING and creates nothing more', async () => {
    eks
      .on(DescribeNodegroupCommand)
      .resolves({ nodegroup: { nodegroupName: 'general', status: 'CREATING' } });
    expect(await foundation()).toEqual({ ready: false, message: 'node groups on green: general CREATING' });
    expect(eks.commandCalls(CreateNodegroupCommand)).toHaveLength(0);
  });

  it.each(['CREATE_FAILED', 'DEGRADED'] as const)(
    'fails permanently on a node group that is %s',
    async (status) => {
      eks.on(DescribeNodegroupCommand).resolves({
        nodegroup: {
          nodegroupName: 'general',
          status,
          health: { issues: [{ code: 'AsgInstanceLaunchFailures' }] },
        },
      });
      await expect(foundation()).rejects.toEqual(
        permanent(new RegExp(`node group general on green is ${status} \\(AsgInstanceLaunchFailures`)),
      );
    },
  );

  it('creates a missing node group with a token derived from the promotion and the group', async () => {
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).resolves({});
    expect(await foundation()).toEqual({ ready: false, message: 'creating node groups general on green' });
    expect(eks.commandCalls(CreateNodegroupCommand)[0]?.args[0].input).toMatchObject({
      clientRequestToken: 'promo-1-nodegroup-general',
      subnets: ['subnet-1', 'subnet-2'],
      tags: ours,
    });
  });
});

describe('teardown', () => {
  const teardown = () => provisioner.teardown({ promotionId: 'promo-1', cluster: { name: 'green' } });
  beforeEach(() => {
    describes({ name: 'green', status: 'ACTIVE', version: '1.31', tags: ours });
    eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
  });

  it('waits while node groups delete, without deleting them again or touching the cluster', async () => {
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ['general'] });
    eks
      .on(DescribeNodegroupCommand)
      .resolves({ nodegroup: { nodegroupName: 'general', status: 'DELETING' } });
    expect(await teardown()).toEqual({
      ready: false,
      message: 'deleting node groups on green: general DELETING',
    });
    expect(eks.commandCalls(DeleteNodegroupCommand)).toHaveLength(0);
    expect(eks.commandCalls(DeleteClusterCommand)).toHaveLength(0);
  });

  it('deletes Fargate profiles one at a time, then the cluster, then waits for it to go', async () => {
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: [] });
    eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: ['a', 'b'] });
    eks.on(DescribeFargateProfileCommand).resolves({ fargateProfile: { status: 'ACTIVE' } });
    expect(await teardown()).toMatchObject({ ready: false });
    expect(
      eks.commandCalls(DeleteFargateProfileCommand).map((c) => c.args[0].input.fargateProfileName),
    ).toEqual(['a']);

    eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
    // EKS answers the delete and shows the cluster DELETING from then on.
    eks.on(DeleteClusterCommand).callsFake(() => {
      describes({ name: 'green', status: 'DELETING', version: '1.31', tags: ours });
      return {};
    });
    expect(await teardown()).toEqual({ ready: false, message: 'EKS cluster green is DELETING' });
    expect(eks.commandCalls(DeleteClusterCommand)).toHaveLength(1);

    expect(await teardown()).toEqual({ ready: false, message: 'EKS cluster green is DELETING' });
    expect(eks.commandCalls(DeleteClusterCommand)).toHaveLength(1);

    eks.on(DescribeClusterCommand).rejects(notFound());
    expect(await teardown()).toEqual({ ready: true, message: 'EKS cluster green is gone' });
  });

  it('looks once right after deleting the cluster, and is done in that pass when it is gone already', async () => {
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: [] });
    eks.on(DeleteClusterCommand).callsFake(() => {
      eks.on(DescribeClusterCommand).rejects(notFound());
      return {};
    });
    expect(await teardown()).toEqual({ ready: true, message: 'EKS cluster green is gone' });
    expect(eks.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(2);
  });

  it('reads the cluster, its node groups and its profiles together, and deletes nothing of a cluster not ours', async () => {
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ['general'] });
    // The describe answers only once both lists were asked: the three reads are in flight together.
    eks.on(DescribeClusterCommand).callsFake(() => ({
      cluster: {
        name: 'green',
        status: 'ACTIVE',
        version: '1.31',
        tags:
          eks.commandCalls(ListNodegroupsCommand).length === 1 &&
          eks.commandCalls(ListFargateProfilesCommand).length === 1
            ? { 'switchyard.io/promotion-id': 'another-promotion' }
            : ours,
      },
    }));
    await expect(teardown()).rejects.toThrow(/belongs to promotion another-promotion/);
    expect(eks.commandCalls(DeleteNodegroupCommand)).toHaveLength(0);
    expect(eks.commandCalls(DeleteClusterCommand)).toHaveLength(0);
  });

  it('is done when the cluster is gone, whatever its lists answered', async () => {
    eks.on(DescribeClusterCommand).rejects(notFound());
    eks.on(ListNodegroupsCommand).rejects(notFound());
    eks.on(ListFargateProfilesCommand).rejects(notFound());
    expect(await teardown()).toEqual({ ready: true, message: 'EKS cluster green is gone' });
  });

  it('counts NotFound on a delete as gone', async () => {
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ['general'] });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { nodegroupName: 'general', status: 'ACTIVE' } });
    eks.on(DeleteNodegroupCommand).rejects(notFound());
    expect(await teardown()).toMatchObject({ ready: false });
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: [] });
    eks.on(DeleteClusterCommand).rejects(notFound());
    expect(await teardown()).toEqual({ ready: true, message: 'EKS cluster green is gone' });
  });
});

describe('client request tokens', () => {
  it('keeps short seeds and hashes long ones to 64 characters, deterministically and distinctly', () => {
    expect(requestToken('promo-1-provision')).toBe('promo-1-provision');
    const long = `${'p'.repeat(70)}-provision`;
    expect(requestToken(long)).toHaveLength(64);
    expect(requestToken(long)).toBe(requestToken(long));
    expect(requestToken(long)).not.toBe(requestToken(`${'p'.repeat(70)}-foundation`));
  });
});
