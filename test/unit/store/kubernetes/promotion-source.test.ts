import { describe, expect, it } from 'vitest';
import type { PromotionEvent } from '../../../../src/domain/promotion.js';
import type { StoredPromotion } from '../../../../src/store/kubernetes/objects.js';
import { promotionCache } from '../../../../src/store/kubernetes/promotion-cache.js';
import { cachedSource, type PromotionSource } from '../../../../src/store/kubernetes/promotion-source.js';
import { cachingChunks } from '../../../../src/store/kubernetes/sealed-chunk-cache.js';
import { aPromotion } from '../fixtures.js';

function aStored(id: string, uid: string): StoredPromotion {
  const record = aPromotion({ id });
  return {
    resource: { metadata: { name: id, uid } },
    record,
    tail: [],
    storage: {
      record: JSON.stringify(record),
      version: 1,
      epoch: 0,
      createdRevision: '1',
      events: '[]',
      nextSeq: 1,
      sealedChunks: 3,
    },
  };
}

const chunkOf = (label: string): PromotionEvent[] => [
  { seq: 1, promotionId: label, at: '2031-03-04T05:06:07.000Z', type: 'created', message: label, actor: 'x' },
];

describe('where the Kubernetes store reads promotions', () => {
  it('asks the apiserver until the informer’s first list is in the cache', async () => {
    const asked: string[] = [];
    const apiserver: PromotionSource = {
      one: async (id) => {
        asked.push(`one ${id}`);
        return aStored(id, 'u');
      },
      all: async (platform) => {
        asked.push(`all ${platform}`);
        return [];
      },
      chunk: async () => [],
    };
    const cache = promotionCache();
    const source = cachedSource(cache, apiserver);
    expect((await source.one('p-1'))?.record.id).toBe('p-1');
    await source.all('shop');
    expect(asked).toEqual(['one p-1', 'all shop']);

    cache.replaceAll([], '7');
    expect(await source.one('p-1')).toBeUndefined();
    expect(await source.all()).toEqual([]);
    expect(asked).toHaveLength(2);
  });

  it('reads a sealed chunk once, per incarnation of the promotion, holding the most recently read', async () => {
    const reads: string[] = [];
    const chunk = cachingChunks(async (stored, k) => {
      reads.push(`${stored.resource.metadata?.uid}:${k}`);
      return chunkOf(`${stored.resource.metadata?.uid}:${k}`);
    }, 2);
    const first = aStored('p-1', 'uid-a');
    const again = aStored('p-1', 'uid-b');
    expect(await chunk(first, 1)).toEqual(chunkOf('uid-a:1'));
    await chunk(first, 1);
    expect(await chunk(again, 1)).toEqual(chunkOf('uid-b:1'));
    expect(reads).toEqual(['uid-a:1', 'uid-b:1']);

    await chunk(first, 1); // read last: kept when the third chunk pushes one out
    await chunk(first, 2);
    await chunk(first, 1);
    await chunk(again, 1);
    expect(reads).toEqual(['uid-a:1', 'uid-b:1', 'uid-a:2', 'uid-b:1']);
  });
});
