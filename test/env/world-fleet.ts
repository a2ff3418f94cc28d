/**
 * A world with a fleet: the usual world (shop and payments) plus `count` more Route 53 platforms, each a
 * copy of shop under its own name, its own blue/green EKS cluster names and its own weighted record
 * set in shop's hosted zone. Used by the scale benchmark, which promotes them all at once.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { parse, stringify } from 'yaml';
import { createAwsClients } from '../../src/providers/aws/clients.js';
import type { TestEnvironmentInfo } from './environment.js';
import { createWorld, type World, type WorldOptions, worldCredentials } from './world.js';
import { roles } from './world-aws.js';

export interface FleetWorld extends World {
  /** The fleet's platform names, fleet-000 onwards. */
  readonly fleet: readonly string[];
}

export interface FleetOptions extends WorldOptions {
  readonly count: number;
  /** How often each fleet platform looks again while it waits (default 1s). */
  readonly pollInterval?: string;
  /** Each fleet platform's labels, by its index (fleet-000 is 0). */
  readonly labels?: (index: number) => Record<string, string>;
  /** Changes to one platform's file (e.g. a smoke check that cannot pass), by its index. */
  readonly override?: (index: number, platform: Record<string, unknown>) => Record<string, unknown>;
  /** Fleet strategy files to write into the world's fleets/ folder, by file name. */
  readonly strategies?: Readonly<Record<string, unknown>>;
}

export async function createFleetWorld(
  env: TestEnvironmentInfo,
  dir: string,
  options: FleetOptions,
): Promise<FleetWorld> {
  const world = await createWorld(env, dir, options);
  const shop = parse(readFileSync(join(dir, 'platforms', 'shop.yaml'), 'utf8'));
  const fleet = Array.from({ length: options.count }, (_, i) => `fleet-${String(i).padStart(3, '0')}`);
  await seedFleetAws(env, world, fleet, options);
  for (const [index, name] of fleet.entries()) {
    const target = (side: 'blue' | 'green') => ({
      setIdentifier: `${name}-${side}`,
      values: [`${name}-${side}.lb.example.test`],
    });
    const platform = {
      ...shop,
      name,
      pollInterval: options.pollInterval ?? '1s',
      blue: { ...shop.blue, clusterName: `${name}-blue` },
      green: { ...shop.green, clusterName: `${name}-green` },
      traffic: {
        ...shop.traffic,
        recordName: recordName(name),
        blue: target('blue'),
        green: target('green'),
      },
    };
    const labelled = options.labels ? { ...platform, labels: options.labels(index) } : platform;
    const written = options.override ? options.override(index, labelled) : labelled;
    writeFileSync(join(dir, 'platforms', `${name}.yaml`), stringify(written));
  }
  if (options.strategies) {
    mkdirSync(join(dir, 'fleets'), { recursive: true });
    for (const [file, strategy] of Object.entries(options.strategies)) {
      writeFileSync(join(dir, 'fleets', file), stringify(strategy));
    }
  }
  return { ...world, fleet };
}

const recordName = (platform: string) => `${platform}.example.test`;

/** Each fleet platform's live cluster (at the world's version) and its record, still a simple one. */
async function seedFleetAws(
  env: TestEnvironmentInfo,
  world: World,
  fleet: readonly string[],
  options: FleetOptions,
): Promise<void> {
  const aws = createAwsClients({
    region: env.awsRegion,
    endpoint: env.awsEndpoint,
    credentials: worldCredentials,
  });
  try {
    // A few at a time: moto answers on one core.
    for (let start = 0; start < fleet.length; start += 8) {
      await Promise.all(
        fleet.slice(start, start + 8).map((name) =>
          aws.eks.send(
            new CreateClusterCommand({
              name: `${name}-blue`,
              version: options.kubeVersion ?? '1.35',
              roleArn: roles.cluster,
              resourcesVpcConfig: { subnetIds: [...world.aws.subnetIds] },
            }),
          ),
        ),
      );
    }
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: world.aws.hostedZoneId,
        ChangeBatch: {
          Changes: fleet.map((name) => ({
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: recordName(name),
              Type: 'CNAME',
              TTL: 1,
              ResourceRecords: [{ Value: `${name}-blue.lb.example.test` }],
            },
          })),
        },
      }),
    );
  } finally {
    aws.destroy();
  }
}
