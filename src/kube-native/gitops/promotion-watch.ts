/**
 * The Promotion resources of one namespace, kept current by a list and then a watch from the list's
 * resourceVersion: every name listed, added, changed or deleted is told to `onChange`, and `get` gives
 * the latest copy. A watch that ends is started again from the last resourceVersion seen; one the
 * apiserver can no longer serve from there (410 Gone: the version left its watch cache) lists again.
 */
import type { Logger } from 'pino';
import type { PromotionSource, WatchObject } from './promotion-source.js';
import type { PromotionResource } from './resource.js';

export interface PromotionWatchOptions {
  readonly source: PromotionSource;
  readonly log: Logger;
  readonly onChange: (name: string) => void;
  /** Wait before listing or watching again after a failure. */
  readonly retryDelayMs?: number;
}

interface WatchEnd {
  /** The last resourceVersion seen; undefined when the apiserver answered 410 Gone (list again). */
  readonly resourceVersion: string | undefined;
  readonly error?: unknown;
}

export class PromotionWatch {
  readonly #options: PromotionWatchOptions;
  readonly #resources = new Map<string, PromotionResource>();
  #stopped = false;
  #connection: { abort(): void } | undefined;
  #wakeSleeper: () => void = () => {};
  #loop: Promise<void> | undefined;

  constructor(options: PromotionWatchOptions) {
    this.#options = options;
  }

  /** The latest copy of the resource; undefined once deleted. */
  get(name: string): PromotionResource | undefined {
    return this.#resources.get(name);
  }

  /** Resolves once the first list has been told (retrying it until it succeeds or stop is called). */
  start(): Promise<void> {
    return new Promise((listed) => {
      this.#loop = this.#run(listed);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#connection?.abort();
    this.#wakeSleeper();
    await this.#loop;
  }

  async #run(listed: () => void): Promise<void> {
    let resourceVersion: string | undefined;
    while (!this.#stopped) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.#relist();
          listed();
        }
        const end = await this.#watchFrom(resourceVersion);
        resourceVersion = end.resourceVersion;
        if (end.error !== undefined && !this.#stopped) {
          this.#options.log.warn({ err: end.error }, 'promotion watch ended; watching again');
          await this.#sleep();
        }
      } catch (error) {
        this.#options.log.warn({ err: error }, 'listing promotions failed; trying again');
        await this.#sleep();
      }
    }
    listed();
  }

  /** Lists every page; names that were known and are gone count as deleted. Returns the list's version. */
  async #relist(): Promise<string> {
    const listed = new Map<string, PromotionResource>();
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.#options.source.listPage(next);
      for (const item of page.items) listed.set(item.metadata.name, item);
      resourceVersion = page.resourceVersion;
      next = page.continue;
    } while (next !== undefined);
    if (this.#stopped) return resourceVersion;
    const names = new Set([...this.#resources.keys(), ...listed.keys()]);
    this.#resources.clear();
    for (const [name, resource] of listed) this.#resources.set(name, resource);
    for (const name of names) this.#options.onChange(name);
    return resourceVersion;
  }

  #watchFrom(resourceVersion: string): Promise<WatchEnd> {
    let last: string | undefined = resourceVersion;
    return new Promise<WatchEnd>((resolve) => {
      const onEvent = (type: string, object: WatchObject) => {
        if (this.#stopped) return;
        if (type === 'ERROR') {
          // A Status object; 410 means the version is too old to watch from: list again.
          if (object.code === 410) last = undefined;
          return;
        }
        if (last === undefined) return;
        last = object.metadata?.resourceVersion ?? last;
        if (type === 'BOOKMARK') return;
        const { name } = object.metadata;
        if (type === 'DELETED') this.#resources.delete(name);
        else this.#resources.set(name, object);
        this.#options.onChange(name);
      };
      const onEnd = (error: unknown) => {
        const gone = (error as { statusCode?: number } | null)?.statusCode === 410;
        resolve({ resourceVersion: gone ? undefined : last, ...(error && !gone ? { error } : {}) });
      };
      this.#options.source.watch(resourceVersion, onEvent, onEnd).then((connection) => {
        this.#connection = connection;
        if (this.#stopped) connection.abort();
      }, onEnd);
    });
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#options.retryDelayMs ?? 1_000);
      this.#wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
