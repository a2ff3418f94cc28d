import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PromotionEvent } from '../../domain/promotion.js';
import type { PromotionResource } from './objects.js';
import type { ClaimContext } from './platform-claim.js';
import type { PromotionApi } from './promotion-api.js';
import type { PromotionSource } from './promotion-source.js';
import type { PromotionChanges } from './watch.js';

/** What the store's operations share: its clients, clock, fencing and change feed. */
export interface StoreContext {
  readonly core: CoreV1Api;
  /** The calls on Promotion resources; writes read through these, never through `reads`. */
  readonly promotions: PromotionApi;
  /** Where the read methods look (the informer's cache once synced). */
  readonly reads: PromotionSource;
  readonly namespace: string;
  readonly now: () => Date;
  readonly log: Logger;
  /** The leader's current epoch; undefined on a follower. */
  readonly epoch: () => number | undefined;
  readonly onSuperseded: () => void;
  readonly eventsPerChunk: number;
  readonly claims: ClaimContext;
  readonly changes: PromotionChanges;
  /** After a committed write: the Kubernetes Events for its new log entries (best effort, not awaited). */
  readonly announce: (resource: PromotionResource, events: readonly PromotionEvent[]) => void;
}

/** Compare-and-swap rounds for writes that may retry (the record unchanged, only the resource moved). */
export const casAttempts = 10;
