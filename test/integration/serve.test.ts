/**
 * The controller as `switchyard serve` builds it: real config files, the SQLite store, the AWS SDK
 * clients against moto, the kube-apiservers through kubeconfig contexts, and the REST API on a port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import { type RunningController, serve } from '../../src/server/serve.js';
import { StoreLockedError } from '../../src/store/errors.js';
import { describeWithServers, dummyCredentials, testEnvironment } from './environment.js';
import { deploymentRolledOut } from './support/workload-waits.js';

/** Loosely typed JSON for assertions; the API's own schemas are tested elsewhere. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected field by field by the assertions
type Json = Record<string, any>;

describeWithServers('switchyard serve', () => {
  const env = testEnvironment();
  const suffix = randomBytes(3).toString('hex');
  const namespace = `storefront-${suffix}`;
  const greenCluster = `shop-green-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-serve-'));
  const operatorToken = `operator-${randomBytes(12).toString('hex')}`;
  const processEnv = {
    AWS_ACCESS_KEY_ID: dummyCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: dummyCredentials.secretAccessKey,
    SWITCHYARD_TOKENS: `ops:operator:${operatorToken}`,
  };
  const aws = createAwsClients({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: dummyCredentials,
  });
  const blue = loadKubeConfig({ path: env.kubeconfigPath, context: 'blue' });
  let controller: RunningController;
  let zoneId = '';
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${controller.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${operatorToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  beforeAll(async () => {
    // What a platform team has before Switchyard: a zone with a simple record to blue, green built elsewhere.
    const zone = await aws.route53.send(
      new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: suffix }),
    );
    zoneId = zone.HostedZone?.Id?.replace('/hostedzone/', '') ?? '';
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: 'shop.example.com',
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: 'blue-lb.example.net' }],
              },
            },
          ],
        },
      }),
    );
    // Blue is an EKS cluster too: its version comes from EKS, and a promotion needs it to exist.
    await aws.eks.send(
      new CreateClusterCommand({
        name: 'shop-blue',
        version: '1.35',
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
      }),
    );
    await aws.eks.send(
      new CreateClusterCommand({
        name: greenCluster,
        version: '1.36',
        roleArn: 'arn:aws:iam::123456789012:role/eks',
        resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
      }),
    );
    await blue.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const labels = { app: 'web' };
    const blueApps = blue.makeApiClient(AppsV1Api);
    await blueApps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
        },
      },
    });
    // Blue serves: its controllers and kubelets (kwok) make the service available.
    await deploymentRolledOut(blueApps, namespace, 'web');

    writeFileSync(
      join(dir, 'controller.yaml'),
      stringify({
        server: { host: '127.0.0.1', port: 0 },
        store: { path: './data/switchyard.db' },
        aws: { region: env.awsRegion, endpoint: env.awsEndpoint },
        platformsDir: 'platforms',
      }),
    );
    const platforms = join(dir, 'platforms');
    (await import('node:fs')).mkdirSync(platforms);
    writeFileSync(
      join(platforms, 'shop.yaml'),
      stringify({
        name: 'shop',
        blue: { clusterName: 'shop-blue', kubeconfig: { path: env.kubeconfigPath, context: 'blue' } },
        green: {
          mode: 'adopt',
          clusterName: greenCluster,
          kubeconfig: { path: env.kubeconfigPath, context: 'green' },
        },
        traffic: {
          router: 'route53',
          hostedZoneId: zoneId,
          recordName: 'shop.example.com',
          recordType: 'CNAME',
          ttl: '60s',
          blue: { setIdentifier: 'blue', values: ['blue-lb.example.net'] },
          green: { setIdentifier: 'green', values: ['green-lb.example.net'] },
          steps: [{ green: 100, bake: '60s' }],
        },
        rollback: { green: 'keep', drainDelay: '60s' },
        services: { source: { kind: 'copy', namespaces: [namespace] } },
        // A component green was never given (other tests may install the EKS defaults on the shared green
        // cluster, so the platform names one of its own): the foundation cannot qualify.
        foundation: {
          components: [
            { name: 'mesh', kind: 'Deployment', namespace: 'istio-system', workload: `istiod-${suffix}` },
          ],
          nodes: { expectedReady: 1 },
        },
      }),
    );
    controller = await serve({
      configFile: join(dir, 'controller.yaml'),
      env: processEnv,
      log: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await controller?.close();
    aws.destroy();
    await blue.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
  });

  it('serves health, platforms with live weights from Route 53, and a dry-run plan', async () => {
    expect((await fetch(`${controller.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${controller.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${controller.url}/v1/platforms`)).status).toBe(401);
    const shop = await call('GET', '/v1/platforms/shop');
    expect(shop.body).toMatchObject({
      name: 'shop',
      router: 'route53',
      // First sight: the older file shape's blue is slot a, live as the config says.
      live: { slot: 'a', cluster: 'shop-blue' },
      green: { slot: 'b', cluster: greenCluster, mode: 'adopt' },
      liveTraffic: { kind: 'unweighted', green: 0 },
    });
    const plan = await call('POST', '/v1/platforms/shop/plan', { targetVersion: '1.36' });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      fromVersion: '1.35',
      toVersion: '1.36',
      blue: { slot: 'a', cluster: 'shop-blue' },
      green: { slot: 'b', cluster: greenCluster, mode: 'adopt' },
      blockers: [],
      // Blue is shared with other test files (some plant removed APIs there), so only the shape is fixed.
      removedApis: {
        verdict: expect.stringMatching(/^(pass|fail)$/),
        checks: [expect.objectContaining({ name: 'removed-apis' })],
      },
    });
    expect(plan.body.stages).toHaveLength(7);
  });

  it('refuses a second controller on the same store', async () => {
    await expect(
      serve({ configFile: join(dir, 'controller.yaml'), env: processEnv, log: pino({ level: 'silent' }) }),
    ).rejects.toBeInstanceOf(StoreLockedError);
  });

  it('runs a promotion through the real providers: green adopted, a failed qualification rolls back without moving traffic', async () => {
    const created = await call('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      fromVersion: '1.35',
      toVersion: '1.36',
      green: { name: greenCluster, adopted: true },
    });
    const id = created.body.id as string;
    let promotion: Json = created.body;
    for (let i = 0; i < 150 && promotion.rollback?.step !== 'drain'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      promotion = (await call('GET', `/v1/promotions/${id}`)).body;
    }
    // Green lacks the platform's mesh component, so the foundation must not qualify; no traffic ever
    // moved, so the rollback leaves the router alone.
    expect(promotion.stages.provision.state).toBe('succeeded');
    expect(promotion.stages['qualify-foundation']).toMatchObject({
      state: 'failed',
      message: expect.stringContaining(`component/mesh: Deployment istio-system/istiod-${suffix} not found`),
    });
    expect(promotion.phase).toBe('rolling-back');
    expect(promotion.rollback).toMatchObject({ requestedBy: 'switchyard', step: 'drain' });
    const records = await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    const shopRecords = records.ResourceRecordSets?.filter((r) => r.Name === 'shop.example.com.');
    expect(shopRecords).toEqual([
      expect.objectContaining({ Type: 'CNAME', ResourceRecords: [{ Value: 'blue-lb.example.net' }] }),
    ]);
    expect(shopRecords?.[0]?.SetIdentifier).toBeUndefined();

    // What happened shows in the metrics: provider calls, the stage that finished, the automatic rollback.
    const metrics = await (await fetch(`${controller.url}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_provider_calls_total\{provider="route53",operation="ListResourceRecordSetsCommand",outcome="succeeded"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /switchyard_provider_calls_total\{provider="eks",operation="DescribeClusterCommand",outcome="succeeded"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /switchyard_stage_duration_seconds_count\{stage="provision",outcome="succeeded"\} 1/,
    );
    expect(metrics).toMatch(/switchyard_rollbacks_total\{reason="automatic"\} 1/);
    expect(metrics).toMatch(/switchyard_reconcile_duration_seconds_count [1-9]/);
  });
});
