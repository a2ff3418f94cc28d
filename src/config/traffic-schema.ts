import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { allowedPlaceholders, placeholderProblems, sidePlaceholders } from '../analysis/plan.js';
import { analysesSchema } from '../analysis/schema.js';
import { durationMs, formatDuration } from './duration.js';

/** Route 53 answers an alias record with its target's TTL, which for load balancers is 60 s. */
export const aliasTtlMs = 60_000;
/**
 * ALB weights are applied by the load balancer itself, per request: clients keep resolving the same ALB
 * name, so DNS caching plays no part. What remains is the time the change takes to reach every ALB node
 * (seconds); bakes and drain delays are held to this floor.
 */
export const albTtlMs = 10_000;

const hostedZoneId = z
  .string()
  .regex(/^(\/hostedzone\/)?[A-Z0-9]+$/, 'must be a hosted zone id like Z0123456789ABC')
  // The API returns ids as "/hostedzone/Z…"; accept a copied one, keep the bare id.
  .transform((id) => id.replace(/^\/hostedzone\//, ''));

const elbArn = (kind: string) =>
  z
    .string()
    .regex(
      new RegExp(`^arn:aws[\\w-]*:elasticloadbalancing:[\\w-]+:\\d{12}:${kind}/.+$`),
      `must be a ${kind} ARN`,
    );

const stepSchema = z.strictObject({
  green: z.int().min(1).max(100),
  bake: durationMs,
  approval: z.enum(['required', 'none']).default('none'),
  /** Measured during the bake; see src/analysis/schema.ts. */
  analysis: analysesSchema.optional(),
});

const stepsSchema = z
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

const aliasSchema = z.strictObject({
  dnsName: z.string().min(1),
  hostedZoneId,
  evaluateTargetHealth: z.boolean().default(true),
});

/** One side's weighted record: an alias (to a load balancer) or literal record values, never both. */
const route53TargetSchema = z
  .strictObject({
    setIdentifier: z.string().min(1).max(128),
    alias: aliasSchema.optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
  })
  .superRefine((target, ctx) => {
    if ((target.alias === undefined) === (target.values === undefined)) {
      ctx.addIssue({
        code: 'custom',
        // Aborting: the record pair's own checks below would only guess at a target like this.
        continue: false,
        message:
          target.alias === undefined
            ? 'needs exactly one of alias or values, has neither'
            : 'needs exactly one of alias or values, has both',
      });
    }
  })
  .transform(
    ({ alias, values, setIdentifier }): Route53Target =>
      alias === undefined ? { setIdentifier, values: values ?? [] } : { setIdentifier, alias },
  );

export type Route53Alias = z.output<typeof aliasSchema>;
export type Route53Target =
  | { readonly setIdentifier: string; readonly alias: Route53Alias }
  | { readonly setIdentifier: string; readonly values: readonly string[] };

/** Both slots' targets, keyed by slot. */
const perSlot = <T extends z.ZodType>(target: T) => z.strictObject({ a: target, b: target });

/**
 * The weighted pair of records, one per slot. `targets` is keyed by slot (a, b); the older
 * `blue`/`green` keys still load and mean slot a and slot b.
 */
const route53Schema = z
  .strictObject({
    router: z.literal('route53'),
    hostedZoneId,
    recordName: z.string().regex(/^(\*\.)?([A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?$/, 'must be a DNS name'),
    recordType: z.enum(['A', 'AAAA', 'CNAME']),
    /** Required for value records; alias records have no TTL of their own. Milliseconds once parsed. */
    ttl: durationMs.optional(),
    targets: perSlot(route53TargetSchema).optional(),
    /** The blue/green file shape: slot a's and slot b's record. */
    blue: route53TargetSchema.optional(),
    green: route53TargetSchema.optional(),
    steps: stepsSchema,
  })
  .superRefine((traffic, ctx) => {
    // Aborting issues: the TTL checks on the steps run only once the record pair is consistent, so a
    // wrong ttl is reported once rather than again as every step's bake.
    const issue = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message, continue: false });
    const sides = route53Sides(traffic, issue);
    if (sides === undefined) return;
    const [[firstKey, first], [secondKey, second]] = sides;
    if (first.setIdentifier === second.setIdentifier) {
      issue(
        [...secondKey, 'setIdentifier'],
        `must differ from ${firstKey.join('.')}'s (${JSON.stringify(first.setIdentifier)})`,
      );
    }
    // One TTL has to hold for the whole weighted pair, so both sides must be the same kind of record.
    if ('alias' in first !== 'alias' in second) {
      issue(
        secondKey,
        `must use ${'alias' in first ? 'alias' : 'values'} like ${firstKey.join('.')}; mixing the two is not supported`,
      );
      return;
    }
    if ('alias' in first && traffic.ttl !== undefined) {
      issue(
        ['ttl'],
        `not allowed with alias records: Route 53 uses the target's TTL (${formatDuration(aliasTtlMs)})`,
      );
    }
    if (!('alias' in first) && traffic.ttl === undefined) issue(['ttl'], 'required for records with values');
    if (traffic.ttl !== undefined && traffic.ttl % 1000 !== 0) issue(['ttl'], 'must be whole seconds');
    for (const [key, target] of sides) {
      if ('values' in target) checkValues(target.values, traffic.recordType, [...key, 'values'], issue);
    }
  })
  .transform(({ targets, blue, green, ...traffic }) => ({
    ...traffic,
    // The refinement above guarantees one of the two forms.
    targets: targets ?? { a: blue as Route53Target, b: green as Route53Target },
    /** Which keys the file used, so the platform can refuse mixing them with slots. */
    writtenAs: targets === undefined ? ('blue-green' as const) : ('targets' as const),
  }));

type SideKey = PropertyKey[];

/** The two targets with the keys they were written under, or undefined (with an issue) when the form is wrong. */
function route53Sides(
  traffic: {
    targets?: { a: Route53Target; b: Route53Target } | undefined;
    blue?: Route53Target | undefined;
    green?: Route53Target | undefined;
  },
  issue: (path: PropertyKey[], message: string) => void,
): [[SideKey, Route53Target], [SideKey, Route53Target]] | undefined {
  const legacy = traffic.blue !== undefined || traffic.green !== undefined;
  if (traffic.targets !== undefined && legacy) {
    issue(['targets'], 'use targets (a, b) or the older blue/green keys, not both');
    return undefined;
  }
  if (traffic.targets !== undefined) {
    return [
      [['targets', 'a'], traffic.targets.a],
      [['targets', 'b'], traffic.targets.b],
    ];
  }
  if (traffic.blue === undefined || traffic.green === undefined) {
    issue(
      [traffic.blue === undefined ? (legacy ? 'blue' : 'targets') : 'green'],
      legacy
        ? 'required with the blue/green keys'
        : 'required: the weighted record of each slot, as targets: { a: …, b: … }',
    );
    return undefined;
  }
  return [
    [['blue'], traffic.blue],
    [['green'], traffic.green],
  ];
}

function checkValues(
  values: readonly string[],
  type: 'A' | 'AAAA' | 'CNAME',
  path: PropertyKey[],
  issue: (path: PropertyKey[], message: string) => void,
): void {
  if (type === 'CNAME' && values.length > 1) issue(path, 'a CNAME record has exactly one value');
  const valid = type === 'A' ? isIPv4 : type === 'AAAA' ? isIPv6 : () => true;
  values.forEach((value, i) => {
    if (!valid(value))
      issue([...path, i], `must be an ${type === 'A' ? 'IPv4' : 'IPv6'} address for an ${type} record`);
  });
}

const targetGroupSchema = z.strictObject({ targetGroupArn: elbArn('targetgroup') });

/**
 * The weighted target groups of one forward action, one per slot. `targets` is keyed by slot; the older
 * blueTargetGroupArn/greenTargetGroupArn keys still load and mean slot a and slot b.
 */
const albSchema = z
  .strictObject({
    router: z.literal('alb'),
    listenerArn: elbArn('listener'),
    /** Absent: the listener's default action carries the weighted target groups. */
    ruleArn: elbArn('listener-rule').optional(),
    targets: perSlot(targetGroupSchema).optional(),
    blueTargetGroupArn: elbArn('targetgroup').optional(),
    greenTargetGroupArn: elbArn('targetgroup').optional(),
    steps: stepsSchema,
  })
  .superRefine((traffic, ctx) => {
    const issue = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message, continue: false });
    const legacy = traffic.blueTargetGroupArn !== undefined || traffic.greenTargetGroupArn !== undefined;
    if (traffic.targets !== undefined) {
      if (legacy)
        issue(['targets'], 'use targets (a, b) or the older blue/greenTargetGroupArn keys, not both');
      else if (traffic.targets.a.targetGroupArn === traffic.targets.b.targetGroupArn) {
        issue(['targets', 'b', 'targetGroupArn'], "must differ from slot a's");
      }
      return;
    }
    if (!legacy) {
      issue(
        ['targets'],
        'required: the target group of each slot, as targets: { a: { targetGroupArn }, b: … }',
      );
    } else if (traffic.blueTargetGroupArn === undefined || traffic.greenTargetGroupArn === undefined) {
      issue(
        [traffic.blueTargetGroupArn === undefined ? 'blueTargetGroupArn' : 'greenTargetGroupArn'],
        'required with the blue/green keys',
      );
    } else if (traffic.blueTargetGroupArn === traffic.greenTargetGroupArn) {
      issue(['greenTargetGroupArn'], 'must differ from blueTargetGroupArn');
    }
  })
  .transform(({ targets, blueTargetGroupArn, greenTargetGroupArn, ...traffic }) => ({
    ...traffic,
    targets: targets ?? {
      a: { targetGroupArn: blueTargetGroupArn ?? '' },
      b: { targetGroupArn: greenTargetGroupArn ?? '' },
    },
    writtenAs: targets === undefined ? ('blue-green' as const) : ('targets' as const),
  }));

export type Route53Traffic = z.output<typeof route53Schema>;
export type AlbTraffic = z.output<typeof albSchema>;
export type TrafficConfig = Route53Traffic | AlbTraffic;

/** The TTL that resolvers cache the record for: what every bake and drain must at least last. */
export function effectiveTtlMs(traffic: TrafficConfig): number {
  if (traffic.router === 'alb') return albTtlMs;
  return traffic.ttl ?? aliasTtlMs;
}

export const trafficSchema = z
  .discriminatedUnion('router', [route53Schema, albSchema])
  .superRefine((traffic, ctx) => {
    const ttl = effectiveTtlMs(traffic);
    traffic.steps.forEach((step, i) => {
      if (step.bake < ttl) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'bake'],
          message: `must be at least the TTL (${formatDuration(ttl)}), got ${formatDuration(step.bake)}`,
        });
      }
      checkAnalyses(traffic.router, step, ['steps', i, 'analysis'], ctx);
    });
  });

/**
 * Every measurement fits in the step's bake (count × interval ≤ bake), and placeholders are ones the
 * router can fill; a comparison must read something that differs between blue and green.
 */
function checkAnalyses(
  router: TrafficConfig['router'],
  step: z.output<typeof stepSchema>,
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
    const { unknown, sameForBothSides } = placeholderProblems(analysis, router);
    for (const name of unknown) {
      issue(
        ['query'],
        `unknown placeholder {{${name}}}: with the ${router} router, use ${orList(allowedPlaceholders(router))}`,
      );
    }
    if (sameForBothSides) {
      issue(
        ['compare'],
        `blue would be read with the same query as green: use ${orList(sidePlaceholders.filter((name) => allowedPlaceholders(router).includes(name)))} in the query, or give blue its own compare.query`,
      );
    }
  });
}

/** ["a", "b", "c"] → "{{a}}, {{b}} or {{c}}" */
function orList(names: readonly string[]): string {
  const quoted = names.map((name) => `{{${name}}}`);
  return quoted.length < 2 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}
