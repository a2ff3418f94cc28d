/**
 * The two apiserver calls a list-then-watch of one namespace's Promotions makes, behind a small
 * interface so the loop that uses them (promotion-watch.ts) can be tested without an apiserver.
 */
import { CustomObjectsApi, type KubeConfig, Watch } from '@kubernetes/client-node';
import { crdGroup, crdVersion, promotionNames } from '../crds.js';
import type { PromotionResource } from './resource.js';

export interface PromotionPage {
  readonly items: readonly PromotionResource[];
  readonly resourceVersion: string;
  /** The token for the next page; undefined on the last. */
  readonly continue: string | undefined;
}

/** A watch event's object: a Promotion, or for type ERROR a Status (code 410: too old to watch from). */
export type WatchObject = PromotionResource & { readonly code?: number };

export interface PromotionSource {
  listPage(continueToken: string | undefined): Promise<PromotionPage>;
  /**
   * Watches from `resourceVersion`: `onEvent` for each event, then `onEnd` once (null when the server
   * closed it, else the error; one with statusCode 410 when the version is too old). Resolves with what
   * aborts the watch.
   */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: WatchObject) => void,
    onEnd: (error: unknown) => void,
  ): Promise<{ abort(): void }>;
}

/** Objects per page of a list: bounds one response however many promotions the namespace keeps. */
const pageSize = 250;

export function kubePromotionSource(kubeConfig: KubeConfig, namespace: string): PromotionSource {
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const path = `/apis/${crdGroup}/${crdVersion}/namespaces/${namespace}/${promotionNames.plural}`;
  return {
    async listPage(continueToken) {
      const page = (await objects.listNamespacedCustomObject({
        group: crdGroup,
        version: crdVersion,
        namespace,
        plural: promotionNames.plural,
        limit: pageSize,
        ...(continueToken === undefined ? {} : { _continue: continueToken }),
      })) as { items: PromotionResource[]; metadata?: { resourceVersion?: string; continue?: string } };
      return {
        items: page.items,
        resourceVersion: page.metadata?.resourceVersion ?? '',
        continue: page.metadata?.continue || undefined,
      };
    },
    watch(resourceVersion, onEvent, onEnd) {
      // Bookmarks keep the resourceVersion current in a quiet namespace, so a rewatch rarely needs a list.
      const query = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 };
      return new Watch(kubeConfig).watch(path, query, onEvent, onEnd);
    },
  };
}
