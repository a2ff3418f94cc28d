import { z } from 'zod';
import { InvalidInputError } from '../domain/errors.js';
import {
  type CountOrPercent,
  type FleetGate,
  type FleetStrategy,
  type FleetWindow,
  fleetFailureActions,
  weekdays,
} from '../domain/fleet.js';
import { durationMs, positiveDurationMs } from './duration.js';
import type { ConfigIssue } from './errors.js';
import { configErrorMap, toConfigIssues } from './issues.js';
import { labelsSchema } from './labels-schema.js';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-"');

/** 3, or "50%": a count of a stage's members or a share of them (rounded up when the run starts). */
function countOrPercent(minimum: 0 | 1) {
  const share = z
    .string()
    .regex(/^\d+(\.\d+)?%$/, 'must be a whole number or a share like "50%"')
    .refine(
      (text) => {
        const value = Number(text.slice(0, -1));
        return value <= 100 && (minimum === 0 || value > 0);
      },
      `must be a share from ${minimum === 0 ? '0%' : 'above 0%'} to 100%`,
    )
    .transform((text) => text as `${number}%`);
  const count = z.int().min(minimum);
  return z.union([count, share], {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'must be a whole number or a share like "50%"' : undefined,
  }) as z.ZodType<CountOrPercent, unknown>;
}

/** One gate: `{approval: true}` or `{wait: 10m}`. */
const gateSchema = z
  .strictObject({ approval: z.literal(true).optional(), wait: durationMs.optional() })
  .superRefine((gate, ctx) => {
    const given = [gate.approval, gate.wait].filter((value) => value !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one of approval: true or wait: <duration>, has ${given === 0 ? 'neither' : 'both'}`,
      });
    }
  })
  .transform(
    (gate): FleetGate => (gate.wait === undefined ? { kind: 'approval' } : { kind: 'wait', ms: gate.wait }),
  );

const clockPattern = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
/** "22:00" as minutes after midnight UTC; "24:00" only as an end. */
const clock = z
  .string()
  .regex(clockPattern, 'must be a UTC time like "22:00" (24:00 for the end of the day)')
  .transform((text) => {
    const [hours, minutes] = text.split(':').map(Number);
    return (hours as number) * 60 + (minutes as number);
  });

const windowTimes = z
  .strictObject({
    days: z.array(z.enum(weekdays)).min(1).optional(),
    start: clock,
    end: clock,
  })
  .superRefine((window, ctx) => {
    if (window.start >= 24 * 60) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'must be before 24:00' });
    }
    if (window.end <= window.start) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: 'must be after start (a window over midnight is two windows: to "24:00", and from "00:00")',
      });
    }
  });

/** `{deny: {days: [sat, sun], start: "22:00", end: "24:00"}}` or the same with `allow`. */
const windowSchema = z
  .strictObject({ deny: windowTimes.optional(), allow: windowTimes.optional() })
  .superRefine((window, ctx) => {
    const given = [window.deny, window.allow].filter((value) => value !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one of deny or allow, has ${given === 0 ? 'neither' : 'both'}`,
      });
    }
  })
  .transform((window): FleetWindow => {
    const kind = window.deny === undefined ? 'allow' : 'deny';
    const times = window.deny ?? window.allow;
    const { days, start, end } = times as NonNullable<typeof times>;
    return { kind, ...(days === undefined ? {} : { days }), startMinute: start, endMinute: end };
  });

const stageSchema = z.strictObject({
  name: dnsLabel,
  /** Platforms whose labels contain all of these; `{}` selects every platform. */
  selector: labelsSchema,
  maxConcurrency: countOrPercent(1).default(1),
  maxFailures: countOrPercent(0).default(0),
  memberSoak: durationMs.prefault('0s'),
  after: z.array(gateSchema).default([]),
  onFailure: z.enum(fleetFailureActions).default('halt'),
  orderBy: z.string().min(1).optional(),
});

/**
 * A fleet strategy file (`fleets/<name>.yaml`) or the strategy given inline in a run request. Durations
 * are milliseconds once parsed; windows are UTC.
 */
export const fleetStrategySchema = z
  .strictObject({
    name: dnsLabel,
    stages: z.array(stageSchema).min(1),
    windows: z.array(windowSchema).default([]),
    memberStartDeadline: positiveDurationMs.prefault('30m'),
  })
  .superRefine((strategy, ctx) => {
    const seen = new Map<string, number>();
    strategy.stages.forEach((stage, index) => {
      const earlier = seen.get(stage.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', index, 'name'],
          message: `"${stage.name}" is already the name of stages[${earlier}]`,
        });
      }
      seen.set(stage.name, index);
    });
  })
  .transform(
    ({ stages, memberStartDeadline, ...strategy }): FleetStrategy => ({
      ...strategy,
      stages: stages.map(({ memberSoak, orderBy, ...stage }) => ({
        ...stage,
        memberSoakMs: memberSoak,
        ...(orderBy === undefined ? {} : { orderBy }),
      })),
      memberStartDeadlineMs: memberStartDeadline,
    }),
  );

/**
 * A strategy given inline in an API request, parsed by the same rules as a file; a problem is an
 * InvalidInputError whose field is the path in the request (`strategy.stages[1].maxConcurrency`).
 */
export function parseFleetStrategy(value: unknown, field = 'strategy'): FleetStrategy {
  const result = fleetStrategySchema.safeParse(value, { error: configErrorMap });
  if (result.success) return result.data;
  const issues = toConfigIssues('', result.error.issues);
  const where = (issue: ConfigIssue) => (issue.path === '' ? field : `${field}.${issue.path}`);
  const [first, ...rest] = issues;
  const also = rest.map((issue) => `; ${where(issue)}: ${issue.problem}`).join('');
  throw new InvalidInputError(
    first === undefined ? field : where(first),
    `${first?.problem ?? 'invalid'}${also}`,
  );
}
