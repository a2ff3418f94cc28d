import type { AddonVersionInfo } from '@aws-sdk/client-eks';

/**
 * Answers of EKS's add-on catalog (DescribeAddonVersions), kept for a while per add-on and Kubernetes
 * version. A promotion asks the same question in its dry run and in every foundation pass; the catalog
 * changes when AWS publishes a new build (weeks apart), so an answer an hour old is still the answer.
 */
export interface AddonCatalogCache {
  get(key: string, ask: () => Promise<AddonVersionInfo[]>): Promise<AddonVersionInfo[]>;
}

/** How long a catalog answer is used before EKS is asked again. */
export const addonCatalogMaxAgeMs = 60 * 60_000;

export function addonCatalogCache(now: () => number = Date.now): AddonCatalogCache {
  const answers = new Map<string, { readonly versions: Promise<AddonVersionInfo[]>; readonly at: number }>();
  return {
    get(key, ask) {
      const kept = answers.get(key);
      if (kept && now() - kept.at < addonCatalogMaxAgeMs) return kept.versions;
      const versions = ask();
      // A failed question (throttling, a network error) is asked again next time, never kept.
      versions.catch(() => {
        if (answers.get(key)?.versions === versions) answers.delete(key);
      });
      answers.set(key, { versions, at: now() });
      return versions;
    },
  };
}
