import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { durationMs, formatDuration } from '../../config/duration.js';
import { probeSchema } from '../../config/probe-schema.js';
import { perSlot, stepsSchema } from '../../config/steps-schema.js';
import { aliasTtlSeconds } from './records.js';

const hostedZoneId = z
  .string()
  .regex(/^(\/hostedzone\/)?[A-Z0-9]+$/, 'must be a hosted zone id like Z0123456789ABC')
  // The API returns ids as "/hostedzone/Z…"; accept a copied one, keep the bare id.
  .transform((id) => id.replace(/^\/hostedzone\//, ''));

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

/**
 * The weighted pair of records, one per slot. `targets` is keyed by slot (a, b); the older
 * `blue`/`green` keys still load and mean slot a and slot b.
 */
export const route53Schema = z
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
    /** Requests to the public URL during every step; see src/config/probe-schema.ts. */
    probe: probeSchema.optional(),
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
        `not allowed with alias records: Route 53 uses the target's TTL (${formatDuration(aliasTtlSeconds * 1000)})`,
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
    writtenAs: targets === undefined ? ('blue' as const) : ('targets' as const),
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

export type Route53Traffic = z.output<typeof route53Schema>;
