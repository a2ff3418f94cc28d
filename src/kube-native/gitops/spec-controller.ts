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

/** One term's watch and work: a stopped watch or queue does not start again, so each start makes new ones. */
interface Run {
  readonly watch: PromotionWatch;
  readonly queue: KeyedQueue;
  readonly listed: Promise<void>;
}

/**
 * Start and stop may alternate (leading, stepping down, leading again); each start lists afresh, and
 * forgets what this process marked in an earlier term.
 */
export class SpecController {
  readonly #options: SpecControllerOptions;
  readonly #log: Logger;
  readonly #ports: ResourcePorts;
  #marked = new MarkedSpecs();
  #run: Run | undefined;

  constructor(options: SpecControllerOptions) {
    const { kubeConfig, namespace, controller, catalog } = options;
    this.#options = options;
    this.#log = options.log;
    const writeObserved = observedSpecWriter(kubeConfig.makeApiClient(CustomObjectsApi), namespace);
    this.#ports = {
      controller,
      catalog,
      log: this.#log,
      warn: warningEventWriter(kubeConfig.makeApiClient(CoreV1Api), namespace),
      markObserved: async (resource, generation, spec) => {
        await writeObserved(resource, generation, spec);
        this.#marked.remember(resource, observedSpec(generation, spec));
      },
      remember: (resource, generation, spec) =>
        this.#marked.remember(resource, observedSpec(generation, spec)),
      lastMarked: (resource) => this.#marked.of(resource),
    };
  }

  /** Resolves once every Promotion has been listed and queued; handling goes on in the background. */
  start(): Promise<void> {
    this.#run ??= this.#newRun();
    return this.#run.listed;
  }

  /** Stops watching and waits for the actions under way; nothing is acted on afterwards. */
  async stop(): Promise<void> {
    const run = this.#run;
    this.#run = undefined;
    if (run === undefined) return;
    await run.watch.stop();
    await run.queue.stop();
  }

  #newRun(): Run {
    const { kubeConfig, namespace, firstRetryMs } = this.#options;
    this.#marked = new MarkedSpecs();
    const queue = new KeyedQueue(
      async (name) => {
        // The latest copy when the run starts: edits that arrived while queued fold into it.
        const resource = watch.get(name);
        if (resource === undefined) this.#marked.forget(name);
        else await handlePromotionResource(resource, this.#ports);
      },
      { log: this.#log, ...(firstRetryMs === undefined ? {} : { firstRetryMs }) },
    );
    const watch = new PromotionWatch({
      source: kubePromotionSource(kubeConfig, namespace),
      log: this.#log,
      onChange: (name) => queue.add(name),
    });
    return { watch, queue, listed: watch.start() };
  }
}
