import { expect, it } from 'vitest';
import { configErrorMap, toConfigIssues } from '../../../src/config/issues.js';
import { platformSchema } from '../../../src/config/schema.js';
import { albPlatform, albSlotsPlatform, route53Platform, withValue } from './temp-config.js';

/** Every path to a value inside `value`, e.g. ['traffic', 'steps', 0, 'bake']. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))].filter(
    (p) => p.length > 0,
  );
}

// Both file shapes; the slots one with every slot-level key the rules read.
const bases = [
  withValue(route53Platform, ['rollback'], {
    mode: 'stepped',
    stepBake: '1m',
    green: 'teardown',
    drainDelay: '2m',
  }),
  withValue(albPlatform, ['stageTimeouts'], { provision: '1h' }),
  {
    ...withValue(albSlotsPlatform, ['slots', 'b', 'clusterName'], 'payments-{slot}-{version}'),
    initialLive: 'b',
    initialLiveCluster: 'payments-2024',
    maxVersionJump: 2,
  },
];
const oddValues = [null, 'x', [], {}, 5, -1, true, undefined, '30s'];

// The cross-field rules read partly parsed data; whatever a file holds, parsing must end in issues
// (never a TypeError from a rule) whose messages are ours, not zod's defaults. The schema is used
// directly: through loadConfig the same ~600 cases would take seconds of file I/O.
it('turns any wrong value anywhere in a platform into config issues', () => {
  for (const base of bases) {
    for (const at of paths(base)) {
      for (const value of oddValues) {
        const result = platformSchema.safeParse(withValue(base, at, value), { error: configErrorMap });
        for (const issue of toConfigIssues('p.yaml', result.error?.issues ?? [])) {
          expect(issue.problem, `${at.join('.')} = ${JSON.stringify(value)}`).not.toMatch(
            /^(Invalid input|Too small)/,
          );
        }
      }
    }
  }
});
