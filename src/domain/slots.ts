/**
 * A platform has two cluster slots. Which one is live is stored state, never config: it starts as the
 * config's choice when the platform is first seen, and only a promotion that reaches decommission (blue's
 * teardown has begun, or it succeeded) moves it to the other slot. A promotion's blue is always the live
 * slot and its green the other one, so the second, tenth and hundredth upgrade work like the first.
 */
import { blueTeardownStarted, type Promotion } from './promotion.js';

export const slotNames = ['a', 'b'] as const;
export type SlotName = (typeof slotNames)[number];

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

/** Which slot's cluster plays blue and which green in one promotion (blue is the live slot). */
export interface PromotionRoles {
  readonly blue: { readonly slot: SlotName; readonly name: string };
  readonly green: { readonly slot: SlotName; readonly name: string };
}

/** What the store keeps about a platform: the live cluster the config named when it was first seen. */
export interface PlatformRecord {
  readonly name: string;
  readonly initial: {
    readonly slot: SlotName;
    readonly cluster: string;
    /** Its Kubernetes version when first seen, if the cloud could be asked then. */
    readonly version?: string;
  };
  readonly firstSeenAt: string;
}

/** The cluster that serves a platform's traffic between promotions. */
export interface LiveCluster {
  readonly slot: SlotName;
  readonly cluster: string;
  /** The Kubernetes minor version, when a promotion put it there; else it is read from the cluster. */
  readonly version?: string;
  /** The promotion that made it live; absent while the config's first choice stands. */
  readonly promotionId?: string;
  /** When it became live (for the config's choice: when the platform was first seen). */
  readonly since: string;
}

/** True once a promotion made its green the live cluster: blue's teardown began, so there is no way back. */
export function madeLive(promotion: Promotion): boolean {
  return promotion.phase === 'succeeded' || blueTeardownStarted(promotion);
}

/**
 * The live cluster: the green of the newest promotion that made its green live, else the record's
 * initial choice. `promotions` are the platform's promotions, newest first.
 */
export function liveCluster(record: PlatformRecord, promotions: readonly Promotion[]): LiveCluster {
  const last = promotions.find(madeLive);
  if (last === undefined) {
    const { slot, cluster, version } = record.initial;
    return { slot, cluster, ...(version === undefined ? {} : { version }), since: record.firstSeenAt };
  }
  return {
    slot: last.green.slot,
    cluster: last.green.name,
    version: last.toVersion,
    promotionId: last.id,
    since: last.finishedAt ?? last.stages.decommission.startedAt ?? last.updatedAt,
  };
}

/**
 * A slot's cluster name from its template: `{slot}` becomes the slot, `{version}` the Kubernetes
 * version the cluster runs with dots as dashes (EKS names allow letters, digits, "-" and "_").
 */
export function clusterNameFor(template: string, slot: SlotName, version: string): string {
  return template.replaceAll('{slot}', slot).replaceAll('{version}', version.replaceAll('.', '-'));
}

/** Whether `name` is a name the slot's template can produce (any version for a {version} template). */
export function nameFits(template: string, slot: SlotName, name: string): boolean {
  const pattern = template
    .replaceAll('{slot}', slot)
    .replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')
    .replaceAll('\\{version\\}', '1-\\d+');
  return new RegExp(`^${pattern}$`).test(name);
}

/** True when the name is a template that needs the version to become a name. */
export function nameNeedsVersion(template: string): boolean {
  return template.includes('{version}');
}
