import { z } from 'zod';
import { placeholderProblems } from '../analysis/plan.js';
import { analysesSchema } from '../analysis/schema.js';
import { durationMs, formatDuration } from './duration.js';

export const stepSchema = z.strictObject({
  green: z.int().min(1).max(100),
  bake: durationMs,
  approval: z.enum(['required', 'none']).default('none'),
  /** Measured during the bake; see src/analysis/schema.ts. */
  analysis: analysesSchema.optional(),
});

export const stepsSchema = z
  .array(stepSchema)
  .min(1)
  .superRefine((steps, ctx) => {
    steps.forEach((step, i) => {
      const previous = steps[i - 1];
      if (previous !== undefined && step.green <= previous.green) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'green'],
          message: `must be more than the previous step (${previous.green})`,
        });
      }
    });
    const last = steps.at(-1);
    if (last !== undefined && last.green !== 100) {
      ctx.addIssue({
        code: 'custom',
        path: [steps.length - 1, 'green'],
        message: `the last step must be 100 (all traffic on green), got ${last.green}`,
      });
    }
  });

/** Both slots' targets, keyed by slot. */
export const perSlot = <T extends z.ZodType>(target: T) => z.strictObject({ a: target, b: target });

/** What a router holds every bake to: its shortest safe bake, and what that floor is called in messages. */
export interface MinimumBake {
  readonly ms: number;
  /** e.g. "the TTL", or "the time an ALB takes to apply weights". */
  readonly what: string;
}

/**
 * Every step bakes at least the router's minimum; every measurement fits in its step's bake, uses
 * placeholders the router can fill, and a comparison reads something that differs between the sides.
 */
export function checkSteps(
  traffic: { readonly router: string; readonly steps: readonly z.output<typeof stepSchema>[] },
  minimum: MinimumBake,
  placeholders: { readonly all: readonly string[]; readonly perSide: readonly string[] },
  ctx: z.core.$RefinementCtx,
): void {
  traffic.steps.forEach((step, i) => {
    if (step.bake < minimum.ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', i, 'bake'],
        message: `must be at least ${minimum.what} (${formatDuration(minimum.ms)}), got ${formatDuration(step.bake)}`,
      });
    }
    checkAnalyses(traffic.router, step, placeholders, ['steps', i, 'analysis'], ctx);
  });
}

/**
 * Every measurement fits in the step's bake (count × interval ≤ bake), and placeholders are ones the
 * router can fill; a comparison must read something that differs between blue and green.
 */
function checkAnalyses(
  router: string,
  step: z.output<typeof stepSchema>,
  placeholders: { readonly all: readonly string[]; readonly perSide: readonly string[] },
  at: PropertyKey[],
  ctx: z.core.$RefinementCtx,
): void {
  step.analysis?.forEach((analysis, j) => {
    const issue = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path: [...at, j, ...path], message });
    const needed = analysis.count * analysis.interval;
    if (needed > step.bake) {
      issue(
        ['count'],
        `count × interval (${analysis.count} × ${formatDuration(analysis.interval)} = ${formatDuration(needed)}) ` +
          `must fit in the step's bake (${formatDuration(step.bake)})`,
      );
    }
    const { unknown, sameForBothSides } = placeholderProblems(analysis, placeholders);
    for (const name of unknown) {
      issue(
        ['query'],
        `unknown placeholder {{${name}}}: with the ${router} router, use ${orList(placeholders.all)}`,
      );
    }
    if (sameForBothSides) {
      issue(
        ['compare'],
        `blue would be read with the same query as green: use ${orList(placeholders.perSide)} in the query, or give blue its own compare.query`,
      );
    }
  });
}

/** ["a", "b", "c"] → "{{a}}, {{b}} or {{c}}" */
function orList(names: readonly string[]): string {
  const quoted = names.map((name) => `{{${name}}}`);
  return quoted.length < 2 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}
