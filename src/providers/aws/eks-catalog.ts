/**
 * Answers of EKS's catalogs, kept for a while: the add-on versions per add-on and Kubernetes version
 * (DescribeAddonVersions) and the Kubernetes versions offered for new clusters
 * (DescribeClusterVersions). They are the region's, not a cluster's: a promotion asks the same questions
 * in its checks, its dry run and every foundation pass, and so does every other platform. They change
 * when AWS publishes a new build or version (weeks apart), so an answer an hour old is still the answer.
 */
export interface EksCatalogCache {
  get<T>(key: string, ask: () => Promise<T>): Promise<T>;
}

/** How long a catalog answer is used before EKS is asked again. */
export const catalogMaxAgeMs = 60 * 60_000;

export function eksCatalogCache(now: () => number = Date.now): EksCatalogCache {
  const answers = new Map<string, { readonly answer: Promise<unknown>; readonly at: number }>();
  return {
    get<T>(key: string, ask: () => Promise<T>): Promise<T> {
      const kept = answers.get(key);
      if (kept && now() - kept.at < catalogMaxAgeMs) return kept.answer as Promise<T>;
      const answer = ask();
      // A failed question (throttling, a network error) is asked again next time, never kept; so is an
      // empty list (a version published before its catalog entries): kept, it would refuse every
      // promotion for an hour.
      const forget = () => {
        if (answers.get(key)?.answer === answer) answers.delete(key);
      };
      answer.then((value) => {
        if (Array.isArray(value) && value.length === 0) forget();
      }, forget);
      answers.set(key, { answer, at: now() });
      return answer;
    },
  };
}
