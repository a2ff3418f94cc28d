import { describe, expect, it } from 'vitest';
import { nothingObserved, specActions } from '../../../../src/kube-native/gitops/spec-diff.js';

const rollback = { reason: 'errors on green' };

describe('what a spec edit asks for', () => {
  it.each([
    ['nothing changed', { paused: true, weight: { green: 20 } }, { paused: true, weight: { green: 20 } }, []],
    ['paused set', {}, { paused: true }, [{ kind: 'pause' }]],
    ['paused false → true', { paused: false }, { paused: true }, [{ kind: 'pause' }]],
    ['paused true → false', { paused: true }, { paused: false }, [{ kind: 'resume' }]],
    ['paused removed', { paused: true }, {}, [{ kind: 'resume' }]],
    ['paused false where it was absent', {}, { paused: false }, []],
    ['a weight set', {}, { weight: { green: 20 } }, [{ kind: 'weight', green: 20 }]],
    [
      'a weight changed',
      { weight: { green: 20 } },
      { weight: { green: 50 } },
      [{ kind: 'weight', green: 50 }],
    ],
    ['a weight removed', { weight: { green: 20 } }, {}, []],
    ['a rollback requested', {}, { rollback }, [{ kind: 'rollback', request: rollback }]],
    ['a rollback already acted on', { rollback }, { rollback }, []],
  ] as const)('%s', (_, observed, current, actions) => {
    expect(specActions(observed, current)).toEqual(actions);
  });

  it('a rollback is the only action of its edit: it interrupts pausing and owns the weights', () => {
    expect(specActions({}, { paused: true, weight: { green: 30 }, rollback })).toEqual([
      { kind: 'rollback', request: rollback },
    ]);
  });

  it('resumes before a new weight, and a weight pauses by itself so paused: true adds no pause', () => {
    expect(specActions({ paused: true }, { paused: false, weight: { green: 40 } })).toEqual([
      { kind: 'resume' },
      { kind: 'weight', green: 40 },
    ]);
    expect(specActions({}, { paused: true, weight: { green: 40 } })).toEqual([{ kind: 'weight', green: 40 }]);
  });

  it('a newly accepted request acts on what its spec already says', () => {
    expect(specActions(nothingObserved, { paused: true })).toEqual([{ kind: 'pause' }]);
    expect(specActions(nothingObserved, { paused: false })).toEqual([]);
  });
});
