import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/domain/errors.js';
import type { GreenPercent } from '../../../src/domain/weights.js';
import { albWeights, decodeForward, readingOf, rewriteActions } from '../../../src/routers/alb/action.js';

const blue = 'arn:tg/blue';
const green = 'arn:tg/green';
const targets = { blueTargetGroupArn: blue, greenTargetGroupArn: green, keepOtherTargetGroups: false };
const resource = 'listener L1';
const forward = (...groups: [string, number][]): Action => ({
  Type: 'forward',
  ForwardConfig: { TargetGroups: groups.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })) },
});
const read = (actions: Action[], keep = false) =>
  readingOf(decodeForward(actions, { ...targets, keepOtherTargetGroups: keep }, resource), resource);

describe('ALB weights', () => {
  it('stay within 0..999 at the ends, keeping the ratio exact', () => {
    expect(albWeights(0 as GreenPercent)).toEqual({ blue: 999, green: 0 });
    expect(albWeights(1 as GreenPercent)).toEqual({ blue: 990, green: 10 });
    expect(albWeights(50 as GreenPercent)).toEqual({ blue: 500, green: 500 });
    expect(albWeights(100 as GreenPercent)).toEqual({ blue: 0, green: 999 });
  });
});

describe('reading a forward action', () => {
  it('calls blue alone unweighted, whether written as TargetGroupArn or a one-group ForwardConfig', () => {
    expect(read([{ Type: 'forward', TargetGroupArn: blue }])).toMatchObject({ kind: 'unweighted', green: 0 });
    expect(read([forward([blue, 1])])).toMatchObject({ kind: 'unweighted', green: 0 });
  });

  it('reads a blue/green pair as a percent, and an all-zero pair as uninterpretable', () => {
    expect(read([forward([blue, 900], [green, 100])])).toEqual({
      kind: 'weighted',
      green: 10,
      detail: 'listener L1: blue 900, green 100',
    });
    expect(read([forward([blue, 0], [green, 0])])).toMatchObject({ kind: 'weighted', green: undefined });
  });

  it.each([
    [
      'no forward action',
      [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
      /no forward/,
    ],
    [
      'a foreign target group',
      [forward([blue, 1], [green, 1], ['arn:tg/x', 1])],
      /also forwards to arn:tg\/x/,
    ],
    ['green without blue', [forward([green, 1])], /forwards to green .* but not to blue/],
    ['neither', [forward(['arn:tg/x', 1])], /does not forward to blue/],
    [
      'six groups',
      [forward([blue, 1], [green, 1], ['a', 1], ['b', 1], ['c', 1], ['d', 1])],
      /6 target groups/,
    ],
  ] as [string, Action[], RegExp][])(
    'refuses %s, naming the listener, not retryable',
    (_, actions, message) => {
      try {
        decodeForward(actions, { ...targets, keepOtherTargetGroups: false }, resource);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).retryable).toBe(false);
        expect((error as ProviderError).message).toMatch(/^listener L1: /);
        expect((error as ProviderError).message).toMatch(message);
      }
    },
  );

  it('with keepOtherTargetGroups, excludes foreign groups from the percent and keeps them on rewrite', () => {
    const actions = [forward([blue, 300], ['arn:tg/x', 400], [green, 100])];
    expect(read(actions, true)).toMatchObject({ kind: 'weighted', green: 25 });
    const keep = { ...targets, keepOtherTargetGroups: true };
    const split = decodeForward(actions, keep, resource);
    expect(rewriteActions(actions, split, keep, { blue: 500, green: 500 }, resource)).toEqual([
      forward([blue, 500], ['arn:tg/x', 400], [green, 500]),
    ]);
  });

  it('refuses to add green when the action would exceed five target groups', () => {
    const keep = { ...targets, keepOtherTargetGroups: true };
    const actions = [forward([blue, 1], ['a', 1], ['b', 1], ['c', 1], ['d', 1])];
    const split = decodeForward(actions, keep, resource);
    expect(() => rewriteActions(actions, split, keep, { blue: 990, green: 10 }, resource)).toThrow(
      /would make 6 target groups/,
    );
  });
});
