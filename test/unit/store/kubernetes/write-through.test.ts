import { describe, expect, it } from 'vitest';
import type { PromotionResource } from '../../../../src/store/kubernetes/objects.js';
import type { PromotionApi } from '../../../../src/store/kubernetes/promotion-api.js';
import { promotionCache } from '../../../../src/store/kubernetes/promotion-cache.js';
import { writingThrough } from '../../../../src/store/kubernetes/write-through.js';
import { aPromotion } from '../fixtures.js';

/** A resource with storage, so the cache counts it as a promotion. */
function resource(name: string, resourceVersion: string): PromotionResource {
  const record = JSON.stringify({ ...aPromotion({ id: name }), version: 1 });
  return {
    metadata: { name, resourceVersion },
    status: {
      storage: {
        record,
        version: 1,
        epoch: 0,
        createdRevision: '1',
        events: '[]',
        nextSeq: 1,
        sealedChunks: 0,
      },
    },
  };
}

describe('write-through to the read cache', () => {
  it('puts what every call got back from the apiserver into the cache before the call returns', async () => {
    const api: PromotionApi = {
      read: async (name) => (name === 'gone' ? undefined : resource(name, '11')),
      create: async (body) => resource(body.metadata?.name ?? '', '12'),
      replaceStatus: async (body) => resource(body.metadata?.name ?? '', '13'),
      label: async (name) => resource(name, '14'),
      list: async () => ({ items: [resource('listed', '15')], resourceVersion: '15' }),
      delete: async () => {},
    };
    const cache = promotionCache();
    const through = writingThrough(api, cache);
    const seen = () => cache.all().map((p) => p.resource.metadata?.resourceVersion);

    await through.read('read');
    expect(await through.read('gone')).toBeUndefined();
    await through.create({ metadata: { name: 'created' } });
    await through.replaceStatus({ metadata: { name: 'written' } });
    await through.label('labelled', { a: 'b' });
    await through.list();
    expect(seen()).toEqual(['11', '12', '13', '14', '15']);

    // A write's answer older than the copy held (the watch brought a later write first) is not taken.
    await through.replaceStatus({ metadata: { name: 'listed' } });
    expect(cache.get('listed')?.resource.metadata?.resourceVersion).toBe('15');
  });
});
