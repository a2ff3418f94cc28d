import type { Qualification } from '../src/domain/ports.js';
import type { StageContext, StageResult } from '../src/domain/stage.js';
import { lookAgain } from './look-again.js';

/**
 * Turns a qualification into a stage result. "Inconclusive" is not failure: the stage looks again
 * (soon at first: a new cluster's pods are often a moment from ready, and at once when the
 * qualification's change feed reports a change) until it passes, fails, or the stage timeout ends it.
 */
export function qualificationResult(
  what: string,
  qualification: Qualification,
  context: StageContext,
): StageResult {
  const summary = (verdict: string) =>
    qualification.checks
      .filter((c) => c.verdict === verdict)
      .map((c) => `${c.name}: ${c.evidence}`)
      .join('; ');
  switch (qualification.verdict) {
    case 'pass': {
      const warnings = qualification.warnings ?? [];
      return {
        phase: 'succeeded',
        message:
          `${what} qualified (${qualification.checks.length} checks passed)` +
          (warnings.length > 0 ? `; ${warnings.length} warning(s): ${warnings.join('; ')}` : ''),
        // Kept with the promotion so people can see the evidence behind the verdict.
        saved: { checks: qualification.checks, warnings },
      };
    }
    case 'fail':
      return {
        phase: 'failed',
        retryable: false,
        message: `${what} failed qualification: ${summary('fail')}`,
      };
    case 'inconclusive': {
      const waiting = lookAgain(context, `${what} qualification inconclusive: ${summary('inconclusive')}`);
      // A rollout that finishes between looks is then noticed when it does, not at the next look.
      const { wakeOn } = qualification;
      return wakeOn && waiting.phase === 'running' ? { ...waiting, wakeOn } : waiting;
    }
  }
}
