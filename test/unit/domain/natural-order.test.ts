import { describe, expect, it } from 'vitest';
import { naturalOrder } from '../../../src/domain/natural-order.js';

describe('natural order: numbers compare as numbers', () => {
  it('orders Kubernetes minor versions and add-on builds as people read them', () => {
    expect(['1.10', '1.9', '1.35', '1.100'].sort(naturalOrder)).toEqual(['1.9', '1.10', '1.35', '1.100']);
    expect(['v1.18.10-eksbuild.2', 'v1.18.9-eksbuild.11', 'v1.18.9-eksbuild.2'].sort(naturalOrder)).toEqual([
      'v1.18.9-eksbuild.2',
      'v1.18.9-eksbuild.11',
      'v1.18.10-eksbuild.2',
    ]);
    expect(['10', '2', 'wave-10', 'wave-2'].sort(naturalOrder)).toEqual(['2', '10', 'wave-2', 'wave-10']);
  });

  it('is a total order: equal strings tie, a prefix comes first, text compares by code point', () => {
    expect(naturalOrder('1.35', '1.35')).toBe(0);
    expect(naturalOrder('1.35', '1.35.1')).toBeLessThan(0);
    expect(naturalOrder('alpha', 'beta')).toBeLessThan(0);
    expect(naturalOrder('', 'a')).toBeLessThan(0);
    // Same number, written differently: still ordered one way, never a tie between different strings.
    expect(Math.sign(naturalOrder('01', '1'))).toBe(-Math.sign(naturalOrder('1', '01')));
    expect(naturalOrder('01', '1')).not.toBe(0);
  });

  it('agrees with the numeric collation on version-like strings', () => {
    const versions = ['1.2.10', '1.2.9', '1.10.0', 'v2', 'v10', '1.29', '1.3', 'v1.18.3-eksbuild.12'];
    const collated = [...versions].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    expect([...versions].sort(naturalOrder)).toEqual(collated);
  });
});
