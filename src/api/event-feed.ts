import { isFinished, type PromotionEvent } from '../domain/promotion.js';
import type { ChangeListener } from '../store/changes.js';
import type { PromotionStore } from '../store/store.js';

/** An event of an append-only log, numbered from 1 in commit order. */
interface LoggedEvent {
  readonly seq: number;
}

/**
 * Where feeds read: a record's event log by seq, whether the record has finished (no more events will
 * come), and a watch told after each committed write. Promotions are one source; fleet runs another.
 */
export interface FeedSource<E extends LoggedEvent> {
  events(id: string, afterSeq: number): Promise<readonly E[]>;
  /** The seq of the newest event, 0 when there is none. */
  lastSeq(id: string): Promise<number>;
  /** True when the record has finished, or does not exist. */
  finished(id: string): Promise<boolean>;
  watch(id: string, listener: ChangeListener): () => void;
}

/** Promotions' events, as the promotion stream reads them. */
export function promotionFeedSource(store: PromotionStore): FeedSource<PromotionEvent> {
  return {
    events: (id, afterSeq) => store.events(id, afterSeq),
    lastSeq: async (id) => (await store.eventPage(id, { limit: 1 })).events[0]?.seq ?? 0,
    finished: async (id) => {
      const promotion = await store.get(id);
      return promotion === undefined || isFinished(promotion);
    },
    watch: (id, listener) => store.watch(id, listener),
  };
}

/** Where one reader's events go, each already formatted (once per event, however many readers). */
export interface EventSink {
  /** False when the reader can take no more for now: it gets nothing more until it resumes. */
  write(text: string): boolean;
  /** Every event has gone out and the promotion has finished (or the feed failed). */
  end(): void;
}

export interface FeedSubscription {
  /** The reader can take more again (its socket drained): it catches up from the store. */
  resume(): void;
  /** The reader has gone; the last one to go stops the feed's watch. */
  close(): void;
}

export interface EventFeeds {
  /** Sends the promotion's events after `afterSeq`, in seq order, then each new one as it commits. */
  subscribe(promotionId: string, afterSeq: number, sink: EventSink): FeedSubscription;
  /** Promotions with at least one reader (none once every reader has gone). */
  open(): number;
  /** Ends every stream (the server is shutting down: open streams would hold it up). */
  endAll(): void;
}

interface Reader {
  readonly sink: EventSink;
  /** Every event up to here has been written to this reader. */
  cursor: number;
  /** joining: reads its own backlog next; live: takes the feed's reads; paused: waits for resume. */
  state: 'joining' | 'live' | 'paused' | 'gone';
}

interface Feed {
  readonly id: string;
  readonly readers: Set<Reader>;
  /** Every live reader has been given every event up to here (or up to its own cursor, if later). */
  lastSeq: number;
  /** Known finished: a read that starts after this was set holds the promotion's last events. */
  finished: boolean;
  needsState: boolean;
  woken: boolean;
  running: boolean;
  stopWatch: () => void;
}

/** Live event feeds over the promotions of the store; see createFeeds. */
export function createEventFeeds(
  store: PromotionStore,
  options: { format: (event: PromotionEvent) => string; onError: (error: unknown) => void },
): EventFeeds {
  return createFeeds(promotionFeedSource(store), options);
}

/**
 * Live event feeds over a source, one per watched record however many readers it has: a committed
 * write wakes the feed (source.watch), the feed reads what is new once and fans it out. Order and
 * resumption come from the durable log (read by seq), never from what the wake-up said, so a reader
 * sees exactly the stored events in order. A reader whose socket is full is paused and later catches up
 * from the store on its own, so a slow client neither holds events in memory nor slows the others.
 */
export function createFeeds<E extends LoggedEvent>(
  source: FeedSource<E>,
  options: { format: (event: E) => string; onError: (error: unknown) => void },
): EventFeeds {
  const feeds = new Map<string, Feed>();

  /** Writes the events after the reader's cursor; pauses it when its sink is full. */
  function deliver(reader: Reader, events: readonly E[], texts: readonly string[]): void {
    for (let i = 0; i < events.length && reader.state === 'live'; i++) {
      const event = events[i] as E;
      if (event.seq <= reader.cursor) continue;
      reader.cursor = event.seq;
      if (!reader.sink.write(texts[i] as string)) reader.state = 'paused';
    }
  }

  function fanOut(feed: Feed, events: readonly E[]): void {
    if (events.length === 0) return;
    const texts = events.map(options.format);
    for (const reader of feed.readers) deliver(reader, events, texts);
    feed.lastSeq = Math.max(feed.lastSeq, (events.at(-1) as E).seq);
  }

  function end(feed: Feed, reader: Reader): void {
    reader.state = 'gone';
    feed.readers.delete(reader);
    reader.sink.end();
    if (feed.readers.size === 0) stop(feed);
  }

  function stop(feed: Feed): void {
    feed.stopWatch();
    if (feeds.get(feed.id) === feed) feeds.delete(feed.id);
  }

  /** Brings every joining reader up to date with one read from the earliest cursor among them. */
  async function catchUp(feed: Feed, joining: readonly Reader[]): Promise<void> {
    const from = Math.min(...joining.map((r) => r.cursor));
    const complete = feed.finished;
    const events = await source.events(feed.id, from);
    const joined = joining.filter((r) => r.state === 'joining');
    for (const reader of joined) reader.state = 'live';
    const othersLive = [...feed.readers].some((r) => r.state === 'live' && !joined.includes(r));
    // With no other live reader, the feed's position is where this read started, so long as that is a
    // place in the log: a cursor past its end (a made-up Last-Event-ID) must not make the feed skip
    // the events still to come.
    if (!othersLive) feed.lastSeq = events.length > 0 ? from : Math.min(from, await source.lastSeq(feed.id));
    // A read that starts at or before the feed's position moves the feed and all its live readers on.
    if (from <= feed.lastSeq) fanOut(feed, events);
    else {
      const texts = events.map(options.format);
      for (const reader of joined) deliver(reader, events, texts);
    }
    if (complete) for (const reader of joined) if (reader.state === 'live') end(feed, reader);
  }

  async function tail(feed: Feed): Promise<void> {
    feed.woken = false;
    const complete = feed.finished;
    fanOut(feed, await source.events(feed.id, feed.lastSeq));
    if (complete) for (const reader of feed.readers) if (reader.state === 'live') end(feed, reader);
  }

  /** One loop per feed does all its reads, so they never overlap and a burst of writes is read once. */
  async function run(feed: Feed): Promise<void> {
    if (feed.running) return;
    feed.running = true;
    try {
      while (feed.readers.size > 0) {
        if (feed.needsState) {
          feed.needsState = false;
          if (await source.finished(feed.id)) feed.finished = true;
        }
        const joining = [...feed.readers].filter((r) => r.state === 'joining');
        if (joining.length > 0) await catchUp(feed, joining);
        else if (feed.woken) await tail(feed);
        else break;
      }
    } catch (error) {
      options.onError(error);
      for (const reader of feed.readers) end(feed, reader);
    } finally {
      feed.running = false;
    }
  }

  function feedOf(promotionId: string): Feed {
    const existing = feeds.get(promotionId);
    if (existing) return existing;
    const feed: Feed = {
      id: promotionId,
      readers: new Set(),
      lastSeq: 0,
      finished: false,
      needsState: true,
      woken: false,
      running: false,
      stopWatch: () => {},
    };
    // Watch before the first read, so no write can fall between the read and the watch.
    feed.stopWatch = source.watch(promotionId, (change) => {
      if (change.finished) feed.finished = true;
      feed.woken = true;
      void run(feed);
    });
    feeds.set(promotionId, feed);
    return feed;
  }

  return {
    subscribe(promotionId, afterSeq, sink) {
      const feed = feedOf(promotionId);
      const reader: Reader = { sink, cursor: afterSeq, state: 'joining' };
      feed.readers.add(reader);
      void run(feed);
      return {
        resume() {
          if (reader.state !== 'paused') return;
          reader.state = 'joining';
          void run(feed);
        },
        close() {
          if (reader.state === 'gone') return;
          reader.state = 'gone';
          feed.readers.delete(reader);
          if (feed.readers.size === 0) stop(feed);
        },
      };
    },
    open() {
      return feeds.size;
    },
    endAll() {
      for (const feed of [...feeds.values()]) for (const reader of feed.readers) end(feed, reader);
    },
  };
}
