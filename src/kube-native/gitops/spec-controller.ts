/**
 * GitOps on Promotion resources: `kubectl apply` of a Promotion starts it, and an edit of its spec
 * (paused, rollback, weight) acts as the REST call does. Runs on the leader only (serve starts it on
 * leading and stops it on stepping down): on start it lists every Promotion of the namespace and handles
 * each once, then acts on every watch event as it arrives.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PlatformCatalog } from '../../api/catalog.js';
import { KeyedQueue } from './keyed-queue.js';
import { MarkedSpecs, observedSpec } from './observed-spec.js';
import { kubePromotionSource } from './promotion-source.js';
import { PromotionWatch } from './promotion-watch.js';
import { handlePromotionResource, type ResourcePorts } from './resource-handler.js';
import { observedSpecWriter, warningEventWriter } from './resource-writes.js';

export interface SpecControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly log: Logger;
  readonly controller: ResourcePorts['controller'];
  readonly catalog: Pick<PlatformCatalog, 'newPromotion'>;
  /** Wait before trying a resource again after an accident (network, AWS); doubles up to a minute. */
  readonly firstRetryMs?: number;
}

export class SpecController {
  readonly #watch: PromotionWatch;
  readonly #queue: KeyedQueue;
  readonly #marked = new MarkedSpecs();
  #started: Promise<void> | undefined;

  constructor(options: SpecControllerOptions) {
    const { kubeConfig, namespace, controller, catalog } = options;
    const log = options.log.child({ component: 'gitops' });
    const writeObserved = observedSpecWriter(kubeConfig.makeApiClient(CustomObjectsApi), namespace);
    const ports: ResourcePorts = {
      controller,
      catalog,
      log,
      warn: warningEventWriter(kubeConfig.makeApiClient(CoreV1Api), namespace),
      markObserved: async (resource, generation, spec) => {
        await writeObserved(resource, generation, spec);
        this.#marked.remember(resource, observedSpec(generation, spec));
      },
      lastMarked: (resource) => this.#marked.of(resource),
    };
    this.#queue = new KeyedQueue(
      async (name) => {
        // The latest copy when the run starts: edits that arrived while queued fold into it.
        const resource = this.#watch.get(name);
        if (resource === undefined) this.#marked.forget(name);
        else await handlePromotionResource(resource, ports);
      },
      { log, ...(options.firstRetryMs === undefined ? {} : { firstRetryMs: options.firstRetryMs }) },
    );
    this.#watch = new PromotionWatch({
      source: kubePromotionSource(kubeConfig, namespace),
      log,
      onChange: (name) => this.#queue.add(name),
    });
  }

  /** Resolves once every Promotion has been listed and queued; handling goes on in the background. */
  start(): Promise<void> {
    this.#started ??= this.#watch.start();
    return this.#started;
  }

  /** Stops watching and waits for the actions under way; nothing is acted on afterwards. */
  async stop(): Promise<void> {
    await this.#watch.stop();
    await this.#queue.stop();
  }
}
