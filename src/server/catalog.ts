import { randomBytes } from 'node:crypto';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { VersionApi } from '@kubernetes/client-node';
import type { PlatformCatalog } from '../api/catalog.js';
import type { PlanReport, PlatformSummary } from '../api/types.js';
import { toPromotionPlan } from '../config/load.js';
import type { ControllerConfig, PlatformConfig } from '../config/schema.js';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import type { PlatformProviders } from '../domain/ports.js';
import { stageNames } from '../domain/stages.js';
import type { AwsClients } from '../providers/aws/clients.js';
import { chooseAddonVersion, compatibleVersions, defaultAddons } from '../providers/aws/eks-addons.js';
import { describing } from '../providers/aws/errors.js';
import { scanRemovedApis } from '../providers/kubernetes/deprecations/scan.js';
import type { clusterAccess } from './cluster-access.js';

export interface Platform {
  readonly config: PlatformConfig;
  readonly providers: PlatformProviders;
  readonly access: ReturnType<typeof clusterAccess>;
}

/** The platforms of the loaded config, with what the API needs to start, show and plan promotions. */
export function configCatalog(
  controller: ControllerConfig,
  platforms: ReadonlyMap<string, Platform>,
  aws: AwsClients,
): PlatformCatalog {
  const find = (name: string): Platform => {
    const platform = platforms.get(name);
    if (platform === undefined) throw new NotFoundError('platform', name);
    return platform;
  };
  const summary = ({ config }: Platform): PlatformSummary => ({
    name: config.name,
    blue: { cluster: config.blue.clusterName },
    green: { cluster: config.green.clusterName, mode: config.green.mode },
    router: config.traffic.router,
    steps: toPromotionPlan(config, controller).steps.map((s) => ({
      green: s.green,
      bakeMs: s.bakeMs,
      approval: s.approval,
    })),
  });

  /** Blue's Kubernetes minor version: from its kubeconfig context when the platform names one, else EKS. */
  async function blueVersion(platform: Platform): Promise<string> {
    if (platform.config.blue.kubeconfig) {
      const config = await platform.access({ name: platform.config.blue.clusterName });
      const version = await config.makeApiClient(VersionApi).getCode();
      return `${version.major}.${version.minor.replace(/\D.*$/, '')}`;
    }
    const name = platform.config.blue.clusterName;
    const described = await describing('describe', `EKS cluster ${name}`, () =>
      aws.eks.send(new DescribeClusterCommand({ name })),
    );
    return described.cluster?.version ?? 'unknown';
  }

  const minor = (version: string) => Number(version.split('.')[1] ?? Number.NaN);

  return {
    list: () => [...platforms.values()].map(summary),
    get: (name) => summary(find(name)),

    async newPromotion({ platform: name, targetVersion, createdBy, rollback }) {
      const platform = find(name);
      const fromVersion = await blueVersion(platform);
      if (!(minor(targetVersion) > minor(fromVersion))) {
        throw new InvalidInputError(
          'body.targetVersion',
          `must be newer than blue's Kubernetes ${fromVersion}`,
        );
      }
      const plan = toPromotionPlan(platform.config, controller);
      const policy = {
        ...plan.rollback,
        ...(rollback?.mode ? { mode: rollback.mode } : {}),
        ...(rollback?.green ? { green: rollback.green } : {}),
        ...(rollback?.automatic === undefined ? {} : { automatic: rollback.automatic }),
      };
      return {
        // Sortable by time, unique without coordination, and readable in a terminal.
        id: `${name}-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`,
        platform: name,
        fromVersion,
        toVersion: targetVersion,
        blue: { name: platform.config.blue.clusterName },
        green: { name: platform.config.green.clusterName, adopted: platform.config.green.mode === 'adopt' },
        plan: { ...plan, rollback: policy },
        createdBy,
      };
    },

    liveTraffic: (name) => find(name).providers.router.read(),

    async plan(name, targetVersion): Promise<PlanReport> {
      const platform = find(name);
      const { config } = platform;
      const fromVersion = await blueVersion(platform);
      const addons: Record<string, string> = {};
      if (config.green.mode === 'create') {
        for (const addon of config.green.template?.addons ?? defaultAddons) {
          const compatible = await compatibleVersions({ client: aws.eks }, addon.name, targetVersion);
          addons[addon.name] = chooseAddonVersion(addon, targetVersion, compatible);
        }
      }
      const scan = await scanRemovedApis({
        blue: await platform.access({ name: config.blue.clusterName }),
        targetVersion,
      });
      const steps = toPromotionPlan(config, controller).steps.map(
        (s) => `${s.green}%${s.approval ? ' (approval)' : ''}`,
      );
      const actions: Record<(typeof stageNames)[number], string> = {
        provision:
          config.green.mode === 'create'
            ? `create EKS cluster ${config.green.clusterName} at ${targetVersion}`
            : `adopt ${config.green.clusterName}`,
        foundation: 'node groups and managed add-ons at the versions below',
        'qualify-foundation':
          'DNS, CNI, kube-proxy and the configured components; nodes; pod errors; removed APIs',
        services: `deploy services to ${config.green.clusterName}`,
        'qualify-services': 'rollout status and smoke probes',
        'shift-traffic': `${config.traffic.router} weights ${steps.join(' → ')}`,
        decommission: `after approval, delete ${config.blue.clusterName}`,
      };
      return {
        platform: name,
        fromVersion,
        toVersion: targetVersion,
        stages: stageNames.map((stage) => ({ name: stage, action: actions[stage] })),
        addons,
        removedApis: {
          verdict: scan.checks.some((c) => c.verdict === 'fail')
            ? 'fail'
            : scan.checks.some((c) => c.verdict === 'inconclusive')
              ? 'inconclusive'
              : 'pass',
          checks: scan.checks,
          warnings: scan.warnings,
        },
      };
    },
  };
}
