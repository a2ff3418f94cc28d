import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type {
  PromotionPage,
  PromotionSource,
  WatchObject,
} from '../../../../src/kube-native/gitops/promotion-source.js';
import { PromotionWatch } from '../../../../src/kube-native/gitops/promotion-watch.js';
import type { PromotionResource } from '../../../../src/kube-native/gitops/resource.js';

const resource = (name: string, resourceVersion: string, generation = 1): PromotionResource => ({
  metadata: { name, resourceVersion, generation },
  spec: { platform: 'shop', targetVersion: '1.35' },
});

interface OpenWatch {
  readonly from: string;
  send(type: string, object: WatchObject): void;
  end(error: unknown): void;
  aborted: boolean;
}

/** An apiserver the test scripts: each list answers the next queued pages; each watch is handed to the test. */
function fakeSource() {
  const lists: (PromotionPage[] | Error)[] = [];
  const listed: (string | undefined)[] = [];
  const watches: OpenWatch[] = [];
  /** The pages of the list under way. */
  let pages: PromotionPage[] = [];
  const source: PromotionSource = {
    async listPage(token) {
      listed.push(token);
      if (token === undefined) {
        const next = lists.shift();
        if (next instanceof Error) throw next;
        if (next === undefined) throw new Error('no list scripted');
        pages = next;
        return pages[0] as PromotionPage;
      }
      return pages[pages.findIndex((page) => page.continue === token) + 1] as PromotionPage;
    },
    async watch(from, onEvent, onEnd) {
      const open: OpenWatch = {
        from,
        aborted: false,
        send: onEvent,
        end: onEnd,
      };
      watches.push(open);
      return {
        abort: () => {
          open.aborted = true;
          onEnd(new Error('aborted'));
        },
      };
    },
  };
  return { source, lists, listed, watches };
}

function watchOf(source: PromotionSource) {
  const changes: string[] = [];
  const watch = new PromotionWatch({
    source,
    log: pino({ level: 'silent' }),
    onChange: (name) => changes.push(name),
    retryDelayMs: 1,
  });
  return { watch, changes };
}

describe('list, then watch the Promotions of a namespace', () => {
  it('lists every page first, then watches from the list version, telling each change', async () => {
    const f = fakeSource();
    f.lists.push([
      { items: [resource('a', '5')], resourceVersion: '10', continue: 'page-2' },
      { items: [resource('b', '7')], resourceVersion: '10', continue: undefined },
    ]);
    const { watch, changes } = watchOf(f.source);
    await watch.start();
    expect(f.listed).toEqual([undefined, 'page-2']);
    expect(changes).toEqual(['a', 'b']);
    await vi.waitFor(() => expect(f.watches).toHaveLength(1));
    expect(f.watches[0]?.from).toBe('10');

    f.watches[0]?.send('MODIFIED', resource('a', '11', 2));
    f.watches[0]?.send('ADDED', resource('c', '12'));
    f.watches[0]?.send('DELETED', resource('b', '13'));
    f.watches[0]?.send('BOOKMARK', { metadata: { name: '', resourceVersion: '14' } });
    expect(changes.slice(2)).toEqual(['a', 'c', 'b']);
    expect(watch.get('a')?.metadata.generation).toBe(2);
    expect(watch.get('b')).toBeUndefined();

    // The server closes the watch (its timeout): watch again from the last version seen, no list.
    f.watches[0]?.end(null);
    await vi.waitFor(() => expect(f.watches).toHaveLength(2));
    expect(f.watches[1]?.from).toBe('14');
    expect(f.listed).toHaveLength(2);
    await watch.stop();
    expect(f.watches[1]?.aborted).toBe(true);
  });

  it('lists again after 410 Gone, telling the names that vanished meanwhile as deleted', async () => {
    const f = fakeSource();
    f.lists.push([
      { items: [resource('a', '5'), resource('b', '6')], resourceVersion: '10', continue: undefined },
    ]);
    f.lists.push([
      { items: [resource('a', '30', 3), resource('c', '31')], resourceVersion: '40', continue: undefined },
    ]);
    f.lists.push([{ items: [resource('c', '31')], resourceVersion: '50', continue: undefined }]);
    const { watch, changes } = watchOf(f.source);
    await watch.start();
    await vi.waitFor(() => expect(f.watches).toHaveLength(1));

    // As an event in the stream (the version left the watch cache while watching)…
    f.watches[0]?.send('ERROR', { metadata: { name: '' }, code: 410 });
    f.watches[0]?.end(null);
    await vi.waitFor(() => expect(f.watches).toHaveLength(2));
    expect(f.watches[1]?.from).toBe('40');
    expect(changes.slice(2).sort()).toEqual(['a', 'b', 'c']);
    expect(watch.get('b')).toBeUndefined();
    expect(watch.get('a')?.metadata.generation).toBe(3);

    // …or as the answer to the watch request itself.
    f.watches[1]?.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await vi.waitFor(() => expect(f.watches).toHaveLength(3));
    expect(f.watches[2]?.from).toBe('50');
    expect(watch.get('a')).toBeUndefined();
    await watch.stop();
  });

  it('tries a failed list and a failed watch again, the watch from where it was', async () => {
    const f = fakeSource();
    f.lists.push(new Error('connect ECONNREFUSED'));
    f.lists.push([{ items: [], resourceVersion: '10', continue: undefined }]);
    const { watch } = watchOf(f.source);
    await watch.start();
    expect(f.listed).toEqual([undefined, undefined]);
    await vi.waitFor(() => expect(f.watches).toHaveLength(1));
    f.watches[0]?.send('ADDED', resource('a', '12'));
    f.watches[0]?.end(new Error('socket hang up'));
    await vi.waitFor(() => expect(f.watches).toHaveLength(2));
    expect(f.watches[1]?.from).toBe('12');
    expect(f.listed).toHaveLength(2);
    await watch.stop();
  });
});
