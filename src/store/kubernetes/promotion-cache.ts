import { decodeStored, type PromotionResource, type StoredPromotion } from './objects.js';

/**
 * The namespace's Promotion resources as this process last saw them: fed by the informer (its list and
 * its watch events) and by every object this process's own calls got back from the apiserver, its
 * writes above all (write-through, so a read after our own write sees it). A copy only ever replaces an
 * older one, so a watch event that arrives late cannot undo a write whose answer came first.
 * Pure: no API calls here. What it hands out is shared: callers copy before giving it away.
 */
export interface PromotionCache {
  /** False until the informer's first full list was taken: until then, reads go to the apiserver. */
  readonly synced: boolean;
  /** Keeps `resource` unless a newer copy of it is held already. */
  offer(resource: PromotionResource): void;
  /** `resource` was deleted (as of its resourceVersion): drops it unless a newer copy is held. */
  forget(resource: PromotionResource): void;
  /**
   * A full list taken at `listRevision`: keeps its items, drops what it lacks unless that was written
   * after the list (our own write can return before a list that started earlier). Synced from then on.
   */
  replaceAll(items: readonly PromotionResource[], listRevision: string): void;
  /** The accepted promotion of that name (a request without storage is not one). */
  get(name: string): StoredPromotion | undefined;
  /** Every accepted promotion held. */
  all(): StoredPromotion[];
}

interface Entry {
  readonly resource: PromotionResource;
  /** Decoded on first read, once per copy: most copies the watch brings are replaced before a read. */
  decoded?: StoredPromotion | undefined;
  wasDecoded: boolean;
}

/**
 * A resourceVersion as a number, or undefined. Kubernetes calls resourceVersions opaque and asks
 * clients not to compare them; the apiserver's etcd storage makes them the etcd revision, one counter
 * for the whole store that only grows, so in practice they order the writes. Should one not be a
 * number (another storage backend), nothing can be said, and the copy arriving now is taken.
 */
function revisionOf(resource: PromotionResource | undefined): bigint | undefined {
  const version = resource?.metadata?.resourceVersion;
  return version !== undefined && /^[0-9]{1,30}$/.test(version) ? BigInt(version) : undefined;
}

/** Whether `incoming` may replace `held`: it is newer, or the two cannot be ordered. */
export function supersedes(incoming: PromotionResource, held: PromotionResource | undefined): boolean {
  if (held === undefined) return true;
  const [a, b] = [revisionOf(incoming), revisionOf(held)];
  return a === undefined || b === undefined || a > b;
}

export function promotionCache(): PromotionCache {
  const entries = new Map<string, Entry>();
  let synced = false;

  const offer = (resource: PromotionResource) => {
    const name = resource.metadata?.name;
    if (name === undefined) return;
    if (supersedes(resource, entries.get(name)?.resource)) {
      entries.set(name, { resource, wasDecoded: false });
    }
  };

  const decoded = (entry: Entry): StoredPromotion | undefined => {
    if (!entry.wasDecoded) {
      // A malformed status throws here, on every read of it, as reading it from the apiserver would.
      entry.decoded = decodeStored(entry.resource);
      entry.wasDecoded = true;
    }
    return entry.decoded;
  };

  return {
    get synced() {
      return synced;
    },
    offer,
    forget(resource) {
      const name = resource.metadata?.name;
      if (name === undefined) return;
      const held = entries.get(name)?.resource;
      // Equal is the copy deleted; newer is a write after the deletion (the name made again).
      const deletion = revisionOf(resource);
      const kept = revisionOf(held);
      if (deletion === undefined || kept === undefined || deletion >= kept) entries.delete(name);
    },
    replaceAll(items, listRevision) {
      for (const item of items) offer(item);
      const listed = new Set(items.map((item) => item.metadata?.name));
      const list = revisionOf({ metadata: { resourceVersion: listRevision } });
      for (const [name, entry] of entries) {
        if (listed.has(name)) continue;
        const written = revisionOf(entry.resource);
        // Unordered, the list (the newcomer) wins, as everywhere here.
        if (list === undefined || written === undefined || written <= list) entries.delete(name);
      }
      synced = true;
    },
    get(name) {
      const entry = entries.get(name);
      return entry && decoded(entry);
    },
    all() {
      return [...entries.values()].flatMap((entry) => {
        const stored = decoded(entry);
        return stored === undefined ? [] : [stored];
      });
    },
  };
}
