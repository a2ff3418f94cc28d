import { describe, expect, it } from 'vitest';
import {
  newPromotionResource,
  type PromotionResource,
  statusOf,
} from '../../../../src/store/kubernetes/objects.js';
import { promotionCache, supersedes } from '../../../../src/store/kubernetes/promotion-cache.js';
import { aPromotion } from '../fixtures.js';

/** A stored Promotion resource at `resourceVersion`, its record at `version`. */
function stored(id: string, resourceVersion: string, version = 1, platform = 'payments'): PromotionResource {
  const record = { ...aPromotion({ id, platform }), version };
  const resource = newPromotionResource(record);
  return {
    ...resource,
    metadata: { ...resource.metadata, resourceVersion, uid: `uid-${id}` },
    status: statusOf(record, {
      record: JSON.stringify(record),
      version,
      epoch: 0,
      createdRevision: '1',
      events: '[]',
      nextSeq: 1,
      sealedChunks: 0,
    }),
  };
}

const at = (resourceVersion: string) => ({ metadata: { resourceVersion } });

describe('the Promotion read cache', () => {
  it('orders resourceVersions as integers, and lets the newcomer win when one is not a number', () => {
    expect(supersedes(at('10'), at('9'))).toBe(true);
    expect(supersedes(at('9'), at('10'))).toBe(false);
    expect(supersedes(at('10'), at('10'))).toBe(false);
    expect(supersedes(at('123456789012345678901'), at('123456789012345678900'))).toBe(true);
    expect(supersedes(at('opaque-1'), at('10'))).toBe(true);
    expect(supersedes(at('9'), at('opaque-2'))).toBe(true);
    expect(supersedes(at('1'), undefined)).toBe(true);
  });

  it('keeps a write-through copy when an older watch event arrives after it', () => {
    const cache = promotionCache();
    cache.offer(stored('p-1', '20', 2));
    cache.offer(stored('p-1', '15', 1));
    expect(cache.get('p-1')?.record.version).toBe(2);
    cache.offer(stored('p-1', '25', 3));
    expect(cache.get('p-1')?.record.version).toBe(3);
  });

  it('skips requests without storage, and drops deletions unless a newer copy is held', () => {
    const cache = promotionCache();
    cache.offer({ ...newPromotionResource(aPromotion({ id: 'request' })), metadata: { name: 'request' } });
    expect(cache.get('request')).toBeUndefined();
    expect(cache.all()).toEqual([]);

    cache.offer(stored('p-1', '30'));
    cache.forget(stored('p-1', '29'));
    expect(cache.get('p-1')).toBeDefined();
    cache.forget(stored('p-1', '31'));
    expect(cache.get('p-1')).toBeUndefined();
  });

  it('is not synced before its first full list, which drops what it lacks unless written after it', () => {
    const cache = promotionCache();
    expect(cache.synced).toBe(false);
    cache.offer(stored('deleted-meanwhile', '5'));
    cache.offer(stored('written-after-the-list', '12'));
    cache.replaceAll([stored('listed', '8', 1, 'shop')], '10');
    expect(cache.synced).toBe(true);
    expect(cache.all().map((p) => p.record.id)).toEqual(['written-after-the-list', 'listed']);
    expect(cache.get('listed')?.record.platform).toBe('shop');
  });

  it('decodes a copy once, and a malformed one fails its reads as the apiserver copy would', () => {
    const cache = promotionCache();
    cache.offer(stored('p-1', '3'));
    expect(cache.get('p-1')).toBe(cache.get('p-1'));
    const broken = stored('p-2', '4');
    const storage = broken.status?.storage;
    if (storage === undefined) throw new Error('the fixture has no storage');
    cache.offer({ ...broken, status: { storage: { ...storage, record: '{' } } });
    expect(() => cache.get('p-2')).toThrow(SyntaxError);
    expect(() => cache.all()).toThrow(SyntaxError);
  });
});
