import type { CheckResult, Verdict } from './ports.js';

/** Any fail → fail; else any inconclusive → inconclusive; else pass (also for no checks at all). */
export function worstVerdict(checks: readonly Pick<CheckResult, 'verdict'>[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'inconclusive')) return 'inconclusive';
  return 'pass';
}
