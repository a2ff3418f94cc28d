/**
 * The traffic probe's evidence as short lines of text, one per step: what `switchyard status` and the
 * dashboard show. One function for both: the CLI calls it, and the dashboard's browser script embeds
 * its source text (Function#toString), so it must stay self-contained: no imports, no outside names,
 * nothing TypeScript-only at run time.
 */

/**
 * From the shift-traffic stage's saved status (GET /v1/promotions/{id}): finished steps first, then what
 * the current step's probe has counted so far. E.g. "step 2 → 50%: 480 sent, 0 failed (budget 0),
 * green 49.8% of responses, p50 2 ms, p99 4 ms", "step 1 → 10%: 136 sent, 3 failed (budget 0)
 * [green: 3 non-2xx], green 8.1% of responses" or "step 1 → 1%: 60 sent, 0 failed (budget 0), green 0%
 * of responses, green not reached, p50 1 ms, p99 3 ms".
 */
export function probeLines(saved: unknown): string[] {
  if (typeof saved !== 'object' || saved === null) return [];
  interface Outcomes {
    non2xx: number;
    connectionErrors: number;
  }
  interface Evidence {
    sides?: Record<string, Outcomes>;
    findings: {
      failed: number;
      errorBudget: number;
      p50Ms?: number;
      p99Ms?: number;
      observedGreen?: { write?: number; bake?: number };
      greenReached?: boolean;
    };
    interruptions?: unknown[];
  }
  const progress = saved as {
    step?: number;
    probe?: Evidence & {
      intended: { green: number };
      counts: { sent: number; sides?: Record<string, Outcomes> };
    };
    probed?: (Evidence & { step: number; green: number; sent: number })[];
  };
  /** "green: 3 non-2xx, 1 connection error": where the failed requests were. */
  const failures = (sides: Record<string, Outcomes>) =>
    Object.entries(sides)
      .map(([side, o]) => {
        const kinds = [
          o.non2xx > 0 ? `${o.non2xx} non-2xx` : '',
          o.connectionErrors > 0
            ? `${o.connectionErrors} connection error${o.connectionErrors === 1 ? '' : 's'}`
            : '',
        ].filter((kind) => kind !== '');
        return kinds.length === 0 ? '' : `${side}: ${kinds.join(', ')}`;
      })
      .filter((part) => part !== '')
      .join('; ');
  const figures = (sent: number, evidence: Evidence) => {
    const { failed, errorBudget, p50Ms, p99Ms, observedGreen, greenReached } = evidence.findings;
    const observed = observedGreen?.bake ?? observedGreen?.write;
    const interrupted = evidence.interruptions?.length ?? 0;
    return (
      `${sent} sent, ${failed} failed (budget ${errorBudget})` +
      (failed > 0 && evidence.sides !== undefined ? ` [${failures(evidence.sides)}]` : '') +
      (observed === undefined ? '' : `, green ${observed}% of responses`) +
      // Green had a share, yet nothing green answered during the bake: the probe said nothing about it.
      (greenReached === false ? ', green not reached' : '') +
      (p99Ms === undefined ? '' : `, p50 ${p50Ms} ms, p99 ${p99Ms} ms`) +
      (interrupted > 0 ? `, interrupted ${interrupted}×` : '')
    );
  };
  const lines = (progress.probed ?? []).map(
    (summary) => `step ${summary.step + 1} → ${summary.green}%: ${figures(summary.sent, summary)}`,
  );
  const current = progress.probe;
  const step = progress.step ?? 0;
  // The last step's evidence stays in the status beside its summary once the shift has ended.
  if (current !== undefined && !(progress.probed ?? []).some((summary) => summary.step === step)) {
    const evidence = {
      ...current,
      ...(current.counts.sides !== undefined && { sides: current.counts.sides }),
    };
    lines.push(
      `step ${step + 1} → ${current.intended.green}% (so far): ${figures(current.counts.sent, evidence)}`,
    );
  }
  return lines;
}
