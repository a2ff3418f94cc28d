import type { CheckResult } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';

/** What a removed-API scan is asked: which live objects on `blue` use APIs `targetVersion` no longer serves. */
export interface RemovedApiScanRequest {
  readonly blue: ClusterRef;
  readonly targetVersion: string;
}

export interface RemovedApiScanResult {
  /** Merged into the foundation qualification as they are (e.g. one check per removed API in use). */
  readonly checks: readonly CheckResult[];
  /** Not blocking: e.g. APIs deprecated in the target but still served. */
  readonly warnings?: readonly string[];
}

/**
 * Injected into createClusterHealth (built in src/providers/kubernetes/deprecations/). Should throw
 * ProviderError on infrastructure failures; anything else it throws is wrapped as one.
 */
export type RemovedApiScanner = (request: RemovedApiScanRequest) => Promise<RemovedApiScanResult>;
