import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { newPromotion, type Promotion } from '../../../src/domain/promotion.js';
import {
  clusterNameFor,
  liveCluster,
  madeLive,
  nameFits,
  type PlatformRecord,
} from '../../../src/domain/slots.js';
import { checkTargetVersion } from '../../../src/domain/versions.js';
import { testPromotion } from '../../fakes/promotions.js';

const record: PlatformRecord = {
  name: 'shop',
  initial: { slot: 'a', cluster: 'shop-a' },
  firstSeenAt: '2026-01-01T00:00:00.000Z',
};

function promotion(id: string, blue: 'a' | 'b', changes: Partial<Promotion> = {}): Promotion {
  const green = blue === 'a' ? 'b' : 'a';
  const base = newPromotion(
    {
      ...testPromotion(id),
      blue: { name: `shop-${blue}`, slot: blue },
      green: { name: `shop-${green}`, slot: green, adopted: false },
    },
    new Date('2026-02-01T00:00:00Z'),
  );
  return { ...base, ...changes };
}

describe('the live cluster', () => {
  it("is the record's first choice until a promotion makes its green live", () => {
    expect(liveCluster(record, [])).toEqual({ slot: 'a', cluster: 'shop-a', since: record.firstSeenAt });
    const rolledBack = promotion('p-1', 'a', { phase: 'rolled-back' });
    const running = promotion('p-2', 'a');
    expect(liveCluster(record, [running, rolledBack]).slot).toBe('a');
  });

  it('moves to green once blue teardown began, and alternates with every success', () => {
    const teardown = promotion('p-1', 'a');
    const tearing: Promotion = {
      ...teardown,
      stages: {
        ...teardown.stages,
        decommission: { state: 'running', message: '', attempts: 0, saved: { tearingDown: true } },
      },
    };
    expect(madeLive(tearing)).toBe(true);
    expect(liveCluster(record, [tearing])).toMatchObject({
      slot: 'b',
      cluster: 'shop-b',
      promotionId: 'p-1',
    });

    const first = promotion('p-1', 'a', { phase: 'succeeded', finishedAt: '2026-02-02T00:00:00.000Z' });
    const second = promotion('p-2', 'b', { phase: 'succeeded', toVersion: '1.36' });
    const failed = promotion('p-3', 'a', { phase: 'rolled-back' });
    expect(liveCluster(record, [first])).toMatchObject({
      slot: 'b',
      version: '1.35',
      since: '2026-02-02T00:00:00.000Z',
    });
    expect(liveCluster(record, [failed, second, first])).toMatchObject({
      slot: 'a',
      cluster: 'shop-a',
      version: '1.36',
      promotionId: 'p-2',
    });
  });

  it('tells whether a name is one a slot template can produce', () => {
    expect(nameFits('shop-{slot}', 'b', 'shop-b')).toBe(true);
    expect(nameFits('shop-{slot}', 'b', 'shop-a')).toBe(false);
    expect(nameFits('shop-{version}', 'a', 'shop-1-35')).toBe(true);
    expect(nameFits('shop-{version}', 'a', 'shop-a')).toBe(false);
    expect(nameFits('payments-2024', 'a', 'payments-2024')).toBe(true);
  });

  it('fills cluster name templates with the slot and the version', () => {
    expect(clusterNameFor('shop-{slot}', 'b', '1.35')).toBe('shop-b');
    expect(clusterNameFor('shop-{version}', 'a', '1.35')).toBe('shop-1-35');
    expect(clusterNameFor('payments-2025', 'a', '1.35')).toBe('payments-2025');
  });
});

describe('the target version', () => {
  const live = { cluster: 'shop-a', version: '1.34' };
  const offered = ['1.33', '1.34', '1.35', '1.36'];
  const problem = (target: string, maxJump = 1, list: readonly string[] | undefined = offered) => {
    try {
      checkTargetVersion({ live, target, maxJump, ...(list ? { offered: list } : {}) });
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe('body.targetVersion');
      return (error as InvalidInputError).problem;
    }
  };

  it('must be newer than the live cluster, within the allowed jump, and offered by EKS', () => {
    expect(problem('1.35')).toBeUndefined();
    expect(problem('1.34')).toMatch(/newer than the live cluster shop-a \(Kubernetes 1\.34\); ask for 1\.35/);
    expect(problem('1.33')).toMatch(/newer than/);
    expect(problem('1.36')).toMatch(
      /2 minor versions ahead .* allows 1 per promotion \(maxVersionJump\): ask for 1\.35 first/,
    );
    expect(problem('1.36', 2)).toBeUndefined();
    expect(problem('1.37', 3)).toMatch(
      /EKS does not offer Kubernetes 1\.37 for new clusters; it offers 1\.33, 1\.34, 1\.35, 1\.36/,
    );
    // An adopted green is not created, so EKS's list is not asked.
    expect(problem('1.35', 1, undefined)).toBeUndefined();
  });
});
