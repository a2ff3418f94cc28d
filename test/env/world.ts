/**
 * A platform team's world, ready for Switchyard: AWS resources in moto, services and foundation
 * software on the blue and green clusters (run by their own controllers, scheduler and kwok nodes),
 * ingress stand-ins for smoke probes, and the controller config that describes two platforms: "shop"
 * (Route 53) and "payments" (ALB). Used by `make demo` and by the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../../src/providers/kubernetes/kubeconfig.js';
import type { TestEnvironmentInfo } from './environment.js';
import { freePort } from './net.js';
import { type SmokeServer, startSmokeServer } from './smoke-server.js';
import { type AwsWorld, roles, seedAws } from './world-aws.js';
import { foundationWorkloads, seedFoundation, seedServices } from './world-kube.js';
import { type ProbeWorld, startProbeWorld } from './world-probe.js';

export const worldCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface WorldOptions {
  /** Overrides for every platform's settings (timings, rollback policy) as YAML objects. */
  readonly platform?: {
    readonly rollback?: object;
    /** Shop's traffic steps; a function receives the ingress stand-ins, e.g. to probe green in an analysis. */
    readonly steps?: readonly object[] | ((smoke: { shop: SmokeServer }) => readonly object[]);
    readonly retry?: object;
  };
  /** Put the AWS endpoint behind this URL instead (e.g. a fault proxy); default moto itself. */
  readonly awsEndpoint?: string;
  /**
   * The platform file shape. blue-green (default): the older fixed blue/green keys, clusters
   * <name>-blue and <name>-green. slots: slots a and b, clusters <name>-a and <name>-b, slot a live at first.
   */
  readonly shape?: 'blue-green' | 'slots';
  /** The Kubernetes version of the clusters live at the start (default 1.35). */
  readonly kubeVersion?: string;
  /** The controller's per-caller budget of mutating requests per minute (default the product's). */
  readonly mutationsPerMinute?: number;
  /**
   * The controller's reconciler settings over the tests' own (4 platforms at a time, 500 ms polls); a
   * key given as undefined is left out of the file, so the product's default applies.
   */
  readonly reconciler?: {
    readonly maxConcurrentPlatforms?: number | undefined;
    readonly pollInterval?: string | undefined;
  };
  /**
   * Shop's public entry point on loopback (ingress stand-ins and a DNS server answering from moto's
   * weighted records) and a `traffic.probe` in shop's file that requests it during every step.
   */
  readonly probe?: boolean;
}

export interface World {
  readonly dir: string;
  readonly configFile: string;
  readonly url: string;
  readonly tokens: { readonly admin: string; readonly operator: string; readonly viewer: string };
  /** Environment for `switchyard serve` and the CLI. */
  readonly env: Record<string, string>;
  readonly aws: AwsWorld;
  readonly names: {
    readonly suffix: string;
    readonly namespaces: { readonly shop: string; readonly payments: string };
  };
  readonly smoke: { readonly shop: SmokeServer; readonly payments: SmokeServer };
  /** The clusters behind the kubeconfig contexts "blue" and "green" (slots a and b in the slots shape). */
  readonly kube: { readonly blue: KubeConfig; readonly green: KubeConfig };
  /** With the probe option: shop's public entry point. */
  readonly probe?: ProbeWorld;
  close(): Promise<void>;
}

export const kubeTargetVersion = '1.36';

export async function createWorld(
  env: TestEnvironmentInfo,
  dir: string,
  options: WorldOptions = {},
): Promise<World> {
  const suffix = randomBytes(3).toString('hex');
  const namespaces = { shop: `storefront-${suffix}`, payments: `payments-${suffix}` };
  const blue = loadKubeConfig({ path: env.kubeconfigPath, context: 'blue' });
  const green = loadKubeConfig({ path: env.kubeconfigPath, context: 'green' });
  const connection = { region: env.awsRegion, endpoint: env.awsEndpoint, credentials: worldCredentials };

  const slots = options.shape === 'slots';
  // The cluster each platform starts on: slot a's in the slots shape, blue's in the older one.
  const first = slots ? 'a' : 'blue';
  const aws = await seedAws(connection, {
    suffix,
    blueClusters: [`shop-${first}`, `payments-${first}`],
    kubeVersion: options.kubeVersion ?? '1.35',
    zone: 'example.test',
    record: 'shop.example.test',
    blueTarget: `shop-${first}.lb.example.test`,
  });
  await seedServices(blue, namespaces.shop);
  await seedServices(blue, namespaces.payments);
  const minor = (version: string) => version.split('.').slice(0, 2).join('.');
  await seedFoundation(green, minor(env.kubeVersions.green));
  // With slots, each cluster is green in turn, so both carry the foundation software EKS installs.
  if (slots) await seedFoundation(blue, minor(env.kubeVersions.blue));
  const probe = options.probe
    ? await startProbeWorld({
        aws: connection,
        hostedZoneId: aws.hostedZoneId,
        recordName: 'shop.example.test',
        ttlSeconds: 1,
        clusters: slots ? { blue: 'shop-a', green: 'shop-b' } : { blue: 'shop-blue', green: 'shop-green' },
        targets: slots
          ? { blue: 'shop-a.lb.example.test', green: 'shop-b.lb.example.test' }
          : { blue: 'shop-blue.lb.example.test', green: 'shop-green.lb.example.test' },
      })
    : undefined;
  const smoke = {
    shop: await startSmokeServer('shop.example.test'),
    payments: await startSmokeServer('payments.example.test'),
  };

  const port = await freePort();
  const tokens = {
    admin: `admin-${randomBytes(12).toString('hex')}`,
    operator: `operator-${randomBytes(12).toString('hex')}`,
    viewer: `viewer-${randomBytes(12).toString('hex')}`,
  };
  mkdirSync(join(dir, 'platforms'), { recursive: true });
  writeFileSync(
    join(dir, 'controller.yaml'),
    stringify({
      server: {
        host: '127.0.0.1',
        port,
        ...(options.mutationsPerMinute ? { mutationsPerMinute: options.mutationsPerMinute } : {}),
      },
      store: { path: './data/switchyard.db' },
      reconciler: { maxConcurrentPlatforms: 4, pollInterval: '500ms', ...options.reconciler },
      aws: { region: env.awsRegion, endpoint: options.awsEndpoint ?? env.awsEndpoint },
      platformsDir: 'platforms',
    }),
  );
  const template = (name: string) => ({
    roleArn: roles.cluster,
    subnetIds: aws.subnetIds,
    logging: ['api', 'audit'],
    tags: { team: name },
    nodeGroups: [
      {
        name: 'general',
        instanceTypes: ['m6i.large'],
        nodeRoleArn: roles.nodes,
        minSize: 1,
        maxSize: 3,
        desiredSize: 2,
      },
    ],
  });
  const kubeconfig = (context: 'blue' | 'green') => ({ path: env.kubeconfigPath, context });
  // Slot a is reached through the "blue" apiserver and slot b through the "green" one, whatever their role.
  const clusters = (name: 'shop' | 'payments') =>
    slots
      ? {
          slots: {
            a: {
              clusterName: `${name}-{slot}`,
              kubeconfig: kubeconfig('blue'),
              mode: 'create',
              template: template(name),
            },
            b: {
              clusterName: `${name}-{slot}`,
              kubeconfig: kubeconfig('green'),
              mode: 'create',
              template: template(name),
            },
          },
        }
      : {
          blue: { clusterName: `${name}-blue`, kubeconfig: kubeconfig('blue') },
          green: {
            mode: 'create',
            clusterName: `${name}-green`,
            kubeconfig: kubeconfig('green'),
            template: template(name),
          },
        };
  // Green's foundation as the platform team qualifies it: the EKS software, the ingress controller and
  // the autoscaler in kube-system, every node of the node group Ready, pod errors judged in kube-system
  // (other namespaces belong to other tests of the shared clusters).
  const foundation = {
    components: foundationWorkloads.map(({ name, kind, workload }) => ({
      name,
      kind,
      namespace: 'kube-system',
      workload,
    })),
    nodes: { expectedReady: env.kubeNodes.green.length, selector: 'eks.amazonaws.com/nodegroup=general' },
    pods: { namespaces: ['kube-system'] },
  };
  const common = (name: 'shop' | 'payments') => ({
    name,
    ...clusters(name),
    // At least the router's TTL: 1 s for shop's records, 10 s for the ALB to apply weights.
    rollback: {
      mode: 'instant',
      green: 'teardown',
      drainDelay: name === 'shop' ? '3s' : '10s',
      automatic: true,
      ...options.platform?.rollback,
    },
    retry: { maxAttempts: 5, baseDelay: '300ms', maxDelay: '3s', ...options.platform?.retry },
    pollInterval: '300ms',
    foundation,
    services: {
      source: { kind: 'copy', namespaces: [namespaces[name]] },
      smoke: [
        {
          name: `${name} health`,
          url: smoke[name].url,
          hostHeader: `${name}.example.test`,
          bodyMatch: '"status":"ok"',
          retries: 1,
          timeout: '2s',
        },
      ],
    },
  });
  const configured = options.platform?.steps;
  const steps =
    typeof configured === 'function'
      ? configured(smoke)
      : (configured ?? [1, 10, 50, 100].map((green) => ({ green, bake: '2s' })));
  writeFileSync(
    join(dir, 'platforms', 'shop.yaml'),
    stringify({
      ...common('shop'),
      traffic: {
        router: 'route53',
        hostedZoneId: aws.hostedZoneId,
        recordName: 'shop.example.test',
        recordType: 'CNAME',
        ttl: '1s',
        ...(slots
          ? {
              targets: {
                a: { setIdentifier: 'shop-a', values: ['shop-a.lb.example.test'] },
                b: { setIdentifier: 'shop-b', values: ['shop-b.lb.example.test'] },
              },
            }
          : {
              blue: { setIdentifier: 'shop-blue', values: ['shop-blue.lb.example.test'] },
              green: { setIdentifier: 'shop-green', values: ['shop-green.lb.example.test'] },
            }),
        steps,
        ...(probe && { probe: probe.probeConfig }),
      },
    }),
  );
  writeFileSync(
    join(dir, 'platforms', 'payments.yaml'),
    stringify({
      ...common('payments'),
      traffic: {
        router: 'alb',
        listenerArn: aws.listenerArn,
        ...(slots
          ? {
              targets: {
                a: { targetGroupArn: aws.blueTargetGroupArn },
                b: { targetGroupArn: aws.greenTargetGroupArn },
              },
            }
          : { blueTargetGroupArn: aws.blueTargetGroupArn, greenTargetGroupArn: aws.greenTargetGroupArn }),
        // An ALB applies weights within seconds; bakes are at least that floor (10 s).
        steps: [50, 100].map((green) => ({ green, bake: '10s' })),
      },
    }),
  );

  return {
    dir,
    configFile: join(dir, 'controller.yaml'),
    url: `http://127.0.0.1:${port}`,
    tokens,
    env: {
      AWS_ACCESS_KEY_ID: worldCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: worldCredentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SWITCHYARD_TOKENS: `admin:admin:${tokens.admin},ops:operator:${tokens.operator},viewer:viewer:${tokens.viewer}`,
      SWITCHYARD_URL: `http://127.0.0.1:${port}`,
      SWITCHYARD_LOG_LEVEL: 'info',
    },
    aws,
    names: { suffix, namespaces },
    smoke,
    kube: { blue, green },
    ...(probe && { probe }),
    async close() {
      await smoke.shop.close();
      await smoke.payments.close();
      await probe?.close();
    },
  };
}
