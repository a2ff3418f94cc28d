/**
 * What a committed write changed, told to whoever watches the promotion (the event streams). The store
 * says it only after the transaction committed, so a watcher that reads the store then sees the write.
 */
export interface StoreChange {
  readonly promotionId: string;
  /** The write stored a finished record (no more stages will run); false for event-only appends. */
  readonly finished: boolean;
  /**
   * Written by another process sharing the store (another replica on the Kubernetes store); absent for
   * this process's own writes. A leader wakes a promotion on a remote change, never on its own writes.
   */
  readonly remote?: true;
}

export type ChangeListener = (change: StoreChange) => void;

/**
 * The in-process change bus of a store whose writes all go through this process (SQLite holds an
 * exclusive lock, so no other process writes its file). A store shared between processes would tell
 * its watchers from its own watch instead; callers see the same `watch`.
 */
export interface ChangeBus {
  publish(change: StoreChange): void;
  /** Calls `listener` after each change of the promotion; returns what stops it. */
  watch(promotionId: string, listener: ChangeListener): () => void;
  /** Listeners still registered, over all promotions (tests check that streams leave none behind). */
  listenerCount(): number;
}

export function createChangeBus(onListenerError: (error: unknown) => void = () => {}): ChangeBus {
  const listeners = new Map<string, Set<ChangeListener>>();
  return {
    publish(change) {
      for (const listener of listeners.get(change.promotionId) ?? []) {
        // A watcher's fault must not turn a committed write into an error for the writer.
        try {
          listener(change);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    watch(promotionId, listener) {
      let set = listeners.get(promotionId);
      if (set === undefined) {
        set = new Set();
        listeners.set(promotionId, set);
      }
      // A wrapper per call, so the same function watched twice is also stopped twice.
      const entry: ChangeListener = (change) => listener(change);
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && listeners.get(promotionId) === set) listeners.delete(promotionId);
      };
    },
    listenerCount() {
      let count = 0;
      for (const set of listeners.values()) count += set.size;
      return count;
    },
  };
}
