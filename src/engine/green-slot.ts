/**
 * What stops a promotion from starting, found before it is created, each with its fix: the router still
 * sending traffic to the green slot, clusters earlier promotions left in it, or a green slot that holds
 * a cluster it should not (or lacks the one it adopts).
 */
import type { ClusterFacts, PlatformProviders, TrafficReading } from '../domain/ports.js';
import { isFinished, type Promotion } from '../domain/promotion.js';
import { madeLive, type PromotionRoles } from '../domain/slots.js';
import type { PromotionStore } from '../store/store.js';

/** The router must send nothing to the green slot before a promotion starts. */
export function routerBlockers(
  roles: PromotionRoles,
  reading: TrafficReading,
  recent: readonly Promotion[],
): string[] {
  if (reading.green === 0) return [];
  const last = recent.find(isFinished);
  const fix =
    last === undefined
      ? `set the weights back to the live cluster ${roles.blue.name}`
      : `\`switchyard teardown ${last.id}\` moves it back to the live cluster ${roles.blue.name} and deletes that promotion's green`;
  return [
    `the router still sends ${reading.green ?? 'an unknown share'}% of traffic to slot ${roles.green.slot} ` +
      `(${reading.detail}): ${fix}`,
  ];
}

/**
 * Clusters earlier promotions left in the green slot under other names (a {version} template gives
 * each target its own name): they would register into the same traffic target as the new green.
 */
export async function leftovers(
  roles: PromotionRoles,
  recent: readonly Promotion[],
  providers: PlatformProviders,
): Promise<string[]> {
  const candidates = recent
    .filter((p) => isFinished(p) && !p.green.adopted && p.green.slot === roles.green.slot)
    .filter((p) => p.green.name !== roles.green.name)
    .slice(0, 10);
  const found = await Promise.all(
    candidates.map(async (p) => ({ p, facts: await providers.clusters.inspect(p.green) })),
  );
  return found
    .filter(({ p, facts }) => facts.exists && facts.createdBy === p.id)
    .map(
      ({ p }) =>
        `slot ${p.green.slot} still holds cluster ${p.green.name}, left by promotion ${p.id} (${p.phase}): ` +
        `delete it with \`switchyard teardown ${p.id}\`, then promote again`,
    );
}

/** What the green slot holds that would stop a promotion, each with the fix. */
export async function greenSlotBlockers(
  store: PromotionStore,
  platform: string,
  roles: PromotionRoles,
  mode: 'create' | 'adopt',
  green: ClusterFacts,
  targetVersion: string,
): Promise<string[]> {
  const { slot, name } = roles.green;
  if (mode === 'adopt') {
    if (!green.exists) {
      return [
        `slot ${slot} adopts cluster ${name}, which does not exist: create it at ${targetVersion} first`,
      ];
    }
    if (green.version !== targetVersion) {
      return [
        `slot ${slot} adopts cluster ${name}, which runs ${green.version}, not ${targetVersion}: ` +
          `promote to ${green.version}, or upgrade ${name} first`,
      ];
    }
    return [];
  }
  if (!green.exists) return [];
  const owner = green.createdBy === undefined ? undefined : await store.get(green.createdBy);
  if (owner && owner.platform === platform && madeLive(owner)) {
    return [
      `slot ${slot} still holds cluster ${name}, which was live until a later promotion replaced it and ` +
        `whose deletion did not finish: delete it (aws eks delete-cluster --name ${name}), then promote again`,
    ];
  }
  if (owner && owner.platform === platform && isFinished(owner)) {
    return [
      `slot ${slot} still holds cluster ${name}, left by promotion ${owner.id} (${owner.phase}): ` +
        `delete it with \`switchyard teardown ${owner.id}\` (or POST /v1/promotions/${owner.id}/teardown), then promote again`,
    ];
  }
  return [
    `slot ${slot} already holds cluster ${name}, which Switchyard did not create for this platform` +
      `${green.createdBy === undefined ? '' : ` (tagged with promotion ${green.createdBy})`}: ` +
      `delete it, or set slots.${slot}.mode to "adopt" to take it over as green`,
  ];
}
