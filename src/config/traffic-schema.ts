import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { placeholderProblems } from '../analysis/plan.js';
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

const route53Schema = z
  .strictObject({
    router: z.literal('route53'),
    hostedZoneId,
    recordName: z.string().regex(/^(\*\.)?([A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?$/, 'must be a DNS name'),
    recordType: z.enum(['A', 'AAAA', 'CNAME']),
    /** Required for value records; alias records have no TTL of their own. Milliseconds once parsed. */
    ttl: durationMs.optional(),
    blue: route53TargetSchema,
    green: route53TargetSchema,
    steps: stepsSchema,
  })
  .superRefine((traffic, ctx) => {
    // Aborting issues: the TTL checks on the steps run only once the record pair is consistent, so a
    // wrong ttl is reported once rather than again as every step's bake.
    const issue = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message, continue: false });
    const { blue, green } = traffic;
    if (blue.setIdentifier === green.setIdentifier) {
      issue(['green', 'setIdentifier'], `must differ from blue's (${JSON.stringify(blue.setIdentifier)})`);
    }
    // One TTL has to hold for the whole weighted pair, so both sides must be the same kind of record.
    if ('alias' in blue !== 'alias' in green) {
      issue(
        ['green'],
        `must use ${'alias' in blue ? 'alias' : 'values'} like blue; mixing the two is not supported`,
      );
      return;
    }
    if ('alias' in blue && traffic.ttl !== undefined) {
      issue(
        ['ttl'],
        `not allowed with alias records: Route 53 uses the target's TTL (${formatDuration(aliasTtlMs)})`,
      );
    }
    if (!('alias' in blue) && traffic.ttl === undefined) issue(['ttl'], 'required for records with values');
    if (traffic.ttl !== undefined && traffic.ttl % 1000 !== 0) issue(['ttl'], 'must be whole seconds');
    for (const side of ['blue', 'green'] as const) {
      const target = traffic[side];
      if ('values' in target) checkValues(target.values, traffic.recordType, [side, 'values'], issue);
    }
  });

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

const albSchema = z
  .strictObject({
    router: z.literal('alb'),
    listenerArn: elbArn('listener'),
    /** Absent: the listener's default action carries the weighted target groups. */
    ruleArn: elbArn('listener-rule').optional(),
    blueTargetGroupArn: elbArn('targetgroup'),
    greenTargetGroupArn: elbArn('targetgroup'),
    steps: stepsSchema,
  })
  .superRefine((traffic, ctx) => {
    if (traffic.blueTargetGroupArn === traffic.greenTargetGroupArn) {
      ctx.addIssue({
        code: 'custom',
        path: ['greenTargetGroupArn'],
        message: 'must differ from blueTargetGroupArn',
      });
    }
  });

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
        `unknown placeholder {{${name}}}: with the ${router} router, use ` +
          (router === 'alb'
            ? '{{side}}, {{cluster}}, {{targetGroup}} or {{loadBalancer}}'
            : '{{side}} or {{cluster}}'),
      );
    }
    if (sameForBothSides) {
      issue(
        ['compare'],
        'blue would be read with the same query as green: use {{side}}, {{cluster}} or {{targetGroup}} in the query, or give blue its own compare.query',
      );
    }
  });
}
