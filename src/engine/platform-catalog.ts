import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { PlatformCatalog } from '../api/catalog.js';
import type { PlanReport, PlatformSummary } from '../api/types.js';
import { toPromotionPlan } from '../config/load.js';
import type { ControllerConfig, PlatformConfig } from '../config/schema.js';
import { ActivePromotionExistsError, NotFoundError, PlatformStateError } from '../domain/errors.js';
import type { PlatformProviders } from '../domain/ports.js';
import { isFinished } from '../domain/promotion.js';
import {
  clusterNameFor,
  type LiveCluster,
  nameFits,
  nameNeedsVersion,
  otherSlot,
  type PlatformRecord,
  type PromotionRoles,
} from '../domain/slots.js';
import { stageNames } from '../domain/stages.js';
import { checkTargetVersion, minorOf } from '../domain/versions.js';
import { routerFor } from '../routers/registry.js';
import type { PromotionStore } from '../store/store.js';
import { greenSlotBlockers, leftovers, routerBlockers } from './green-slot.js';
import { readLiveCluster, readPlatformHistory } from './live-cluster.js';

export interface Platform {
  readonly config: PlatformConfig;
  /** The providers with blue and green in the given slots. */
  readonly providers: (roles: PromotionRoles) => PlatformProviders;
}

export interface CatalogOptions {
  readonly controller: ControllerConfig;
  readonly platforms: ReadonlyMap<string, Platform>;
  readonly store: PromotionStore;
  readonly log: Logger;
  readonly now?: () => Date;
}

/**
 * The record a platform gets when first seen: its config's initial live slot. Stored once; a changed
 * config never moves the live slot afterwards.
 */
export function firstRecord(config: PlatformConfig, now: Date): PlatformRecord {
  const slot = config.initialLive;
  return {
    name: config.name,
    initial: {
      slot,
      cluster: config.initialLiveCluster ?? clusterNameFor(config.slots[slot].clusterName, slot, ''),
    },
    firstSeenAt: now.toISOString(),
  };
}

/**
 * Stores each platform's first record (the config's live slot) unless it has one, and says so: from
 * then on the store, not the config, knows which slot is live.
 */
export async function recordPlatforms(options: CatalogOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  for (const { config, providers } of options.platforms.values()) {
    const first = firstRecord(config, now());
    const stored = await options.store.platform(config.name);
    const { record, created } = await options.store.recordPlatform(
      stored ?? (await withVersion(first, providers, options.log)),
    );
    const live = await readLiveCluster(options.store, record);
    const where = `slot ${live.slot} (cluster ${live.cluster})`;
    if (created) {
      options.log.info(
        { platform: config.name, live },
        `platform ${config.name} seen for the first time: ${where} is live, as its config says; ` +
          'from now on only a promotion that reaches decommission changes the live slot',
      );
    } else if (record.initial.slot !== config.initialLive && live.promotionId === undefined) {
      options.log.warn(
        { platform: config.name, live },
        `platform ${config.name}: the config's initialLive is ${config.initialLive}, but the store has ${where} ` +
          `live since ${record.firstSeenAt}; the stored state wins`,
      );
    }
    if (config.shape === 'blue-green') {
      options.log.info(
        { platform: config.name },
        `platform ${config.name} uses the blue/green file shape: blue is slot a and green slot b; ` +
          'see the README (Slots and the live cluster) to move to slots',
      );
    }
  }
}

/**
 * The first record with the live cluster's version, asked of the cloud once; when the cloud cannot
 * answer now, the record is kept without it (a promotion reads the version again anyway).
 */
async function withVersion(
  record: PlatformRecord,
  providers: Platform['providers'],
  log: Logger,
): Promise<PlatformRecord> {
  const { slot, cluster } = record.initial;
  const other = otherSlot(slot);
  try {
    const facts = await providers({
      blue: { slot, name: cluster },
      green: { slot: other, name: '' },
    }).clusters.inspect({ name: cluster, slot });
    return facts.exists ? { ...record, initial: { ...record.initial, version: facts.version } } : record;
  } catch (error) {
    log.warn({ platform: record.name, err: error }, `cannot read the version of ${cluster} now`);
    return record;
  }
}

/** The platforms of the loaded config, with what the API needs to start, show and plan promotions. */
export function configCatalog(options: CatalogOptions): PlatformCatalog {
  const { controller, platforms, store } = options;
  const now = options.now ?? (() => new Date());

  const find = (name: string): Platform => {
    const platform = platforms.get(name);
    if (platform === undefined) throw new NotFoundError('platform', name);
    return platform;
  };

  /** The live cluster and the promotions since it became live, from one read of the store. */
  async function historyOf(config: PlatformConfig) {
    const record =
      (await store.platform(config.name)) ?? (await store.recordPlatform(firstRecord(config, now()))).record;
    return readPlatformHistory(store, record);
  }

  const liveOf = async (config: PlatformConfig): Promise<LiveCluster> => (await historyOf(config)).live;

  /** Blue is the live cluster; green the other slot, named for the target version. */
  function rolesFor(config: PlatformConfig, live: LiveCluster, targetVersion: string): PromotionRoles {
    const green = otherSlot(live.slot);
    return {
      blue: { slot: live.slot, name: live.cluster },
      green: { slot: green, name: clusterNameFor(config.slots[green].clusterName, green, targetVersion) },
    };
  }

  async function summary({ config }: Platform): Promise<PlatformSummary> {
    const live = await liveOf(config);
    const green = otherSlot(live.slot);
    const roles = rolesFor(config, live, '{version}');
    const slot = (name: 'a' | 'b') => ({
      cluster: config.slots[name].clusterName.replaceAll('{slot}', name),
      mode: config.slots[name].mode,
    });
    return {
      name: config.name,
      labels: config.labels,
      live,
      slots: { a: slot('a'), b: slot('b') },
      blue: { cluster: live.cluster },
      green: { slot: green, cluster: roles.green.name, mode: config.slots[green].mode },
      router: config.traffic.router,
      steps: config.traffic.steps.map((s) => ({
        green: s.green,
        bakeMs: s.bake,
        approval: s.approval === 'required',
      })),
    };
  }

  /**
   * Everything a promotion needs settled before it starts: who is blue and green, blue's version, the
   * target version's rule, and what the green slot holds. Problems that block it are returned, not
   * thrown, so the dry run can list them all; version problems are always thrown (a 400).
   */
  async function prepare(platform: Platform, targetVersion: string) {
    const { config } = platform;
    const { live, sinceLive: recent } = await historyOf(config);
    const template = config.slots[live.slot].clusterName;
    // The first live cluster of a {version} slot was named by whoever built it (initialLiveCluster);
    // every other live cluster got its name from the slot, so the file must still produce it.
    const named = live.promotionId !== undefined || !nameNeedsVersion(template);
    if (named && !nameFits(template, live.slot, live.cluster)) {
      throw new PlatformStateError(
        config.name,
        `the store has ${live.cluster} live in slot ${live.slot}` +
          `${live.promotionId === undefined ? '' : ` (made live by ${live.promotionId})`}, but ` +
          `slots.${live.slot}.clusterName is ${JSON.stringify(config.slots[live.slot].clusterName)}: the file no longer ` +
          `matches the live cluster (were the slots swapped?); describe ${live.cluster} under slots.${live.slot}`,
      );
    }
    const roles = rolesFor(config, live, targetVersion);
    const providers = platform.providers(roles);
    const greenSlot = config.slots[roles.green.slot];
    // The offered versions do not depend on blue: asked at the same time, one round trip less.
    const [blue, green, reading, offered] = await Promise.all([
      providers.clusters.inspect(roles.blue),
      providers.clusters.inspect(roles.green),
      providers.router.read(),
      greenSlot.mode === 'create' ? providers.clusters.offeredVersions() : undefined,
    ]);
    if (!blue.exists) {
      throw new PlatformStateError(
        config.name,
        `its live cluster ${live.cluster} (slot ${live.slot}) does not exist, so there is nothing to promote from; ` +
          'a promotion that lost its blue can be ended with `switchyard abandon`',
      );
    }
    if (minorOf(blue.version) === undefined) {
      throw new PlatformStateError(
        config.name,
        `its live cluster ${live.cluster} reports Kubernetes version "${blue.version}", which is not a 1.x version`,
      );
    }
    checkTargetVersion({
      live: { cluster: live.cluster, version: blue.version },
      target: targetVersion,
      maxJump: config.maxVersionJump,
      ...(offered === undefined ? {} : { offered }),
    });
    const blockers = [
      ...(await greenSlotBlockers(store, config.name, roles, greenSlot.mode, green, targetVersion)),
      ...(await leftovers(roles, recent, providers)),
      ...routerBlockers(roles, reading, recent),
    ];
    return { live, roles, providers, fromVersion: blue.version, blockers };
  }

  return {
    list: () => Promise.all([...platforms.values()].map(summary)),
    get: (name) => summary(find(name)),

    async newPromotion({ id, platform: name, targetVersion, createdBy, rollback }) {
      const platform = find(name);
      const active = await store.latestForPlatform(name);
      if (active && !isFinished(active)) throw new ActivePromotionExistsError(name, active.id);
      const { roles, fromVersion, blockers } = await prepare(platform, targetVersion);
      if (blockers.length > 0) throw new PlatformStateError(name, blockers.join('; '));
      const plan = toPromotionPlan(platform.config, controller, roles);
      const policy = {
        ...plan.rollback,
        ...(rollback?.mode ? { mode: rollback.mode } : {}),
        ...(rollback?.green ? { green: rollback.green } : {}),
        ...(rollback?.automatic === undefined ? {} : { automatic: rollback.automatic }),
      };
      return {
        // Sortable by time, unique without coordination, and readable in a terminal.
        id:
          id ??
          `${name}-${now().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`,
        platform: name,
        fromVersion,
        toVersion: targetVersion,
        blue: roles.blue,
        green: { ...roles.green, adopted: platform.config.slots[roles.green.slot].mode === 'adopt' },
        plan: { ...plan, rollback: policy },
        createdBy,
      };
    },

    async liveTraffic(name) {
      const platform = find(name);
      const live = await liveOf(platform.config);
      return platform.providers(rolesFor(platform.config, live, '{version}')).router.read();
    },

    async plan(name, targetVersion): Promise<PlanReport> {
      const platform = find(name);
      const { config } = platform;
      const { roles, fromVersion, blockers, providers } = await prepare(platform, targetVersion);
      const active = await store.latestForPlatform(name);
      if (active && !isFinished(active)) {
        blockers.unshift(`promotion ${active.id} is ${active.phase}: finish, roll back or abandon it first`);
      }
      const greenSlot = config.slots[roles.green.slot];
      const [addons, removedApis] = await Promise.all([
        providers.clusters.addonVersions(targetVersion),
        providers.health.removedApis({ blue: roles.blue, targetVersion }),
      ]);
      const steps = config.traffic.steps.map(
        (s) => `${s.green}%${s.approval === 'required' ? ' (approval)' : ''}`,
      );
      const green = roles.green.name;
      const actions: Record<(typeof stageNames)[number], string> = {
        provision:
          greenSlot.mode === 'create'
            ? `create EKS cluster ${green} in slot ${roles.green.slot} at ${targetVersion}`
            : `adopt ${green} in slot ${roles.green.slot}`,
        foundation: 'node groups and managed add-ons at the versions below',
        'qualify-foundation':
          'DNS, CNI, kube-proxy and the configured components; nodes; pod errors; removed APIs',
        services: `deploy services to ${green}`,
        'qualify-services': 'rollout status and smoke probes',
        'shift-traffic': `${config.traffic.router} weights ${steps.join(' → ')}`,
        decommission: `after approval, delete ${roles.blue.name}; slot ${roles.green.slot} becomes live`,
      };
      return {
        platform: name,
        fromVersion,
        toVersion: targetVersion,
        blue: { slot: roles.blue.slot, cluster: roles.blue.name },
        green: { slot: roles.green.slot, cluster: green, mode: greenSlot.mode },
        targets: {
          blue: routerFor(config.traffic).describeTarget(roles.blue.slot),
          green: routerFor(config.traffic).describeTarget(roles.green.slot),
        },
        blockers,
        stages: stageNames.map((stage) => ({ name: stage, action: actions[stage] })),
        addons: { ...addons },
        removedApis: {
          verdict: removedApis.verdict,
          checks: [...removedApis.checks],
          warnings: [...(removedApis.warnings ?? [])],
        },
      };
    },
  };
}
