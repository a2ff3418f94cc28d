import { z } from 'zod';
import { probeSchema } from '../../config/probe-schema.js';
import { perSlot, stepsSchema } from '../../config/steps-schema.js';

const elbArn = (kind: string) =>
  z
    .string()
    .regex(
      new RegExp(`^arn:aws[\\w-]*:elasticloadbalancing:[\\w-]+:\\d{12}:${kind}/.+$`),
      `must be a ${kind} ARN`,
    );

const targetGroupSchema = z.strictObject({ targetGroupArn: elbArn('targetgroup') });

/**
 * The weighted target groups of one forward action, one per slot. `targets` is keyed by slot; the older
 * blueTargetGroupArn/greenTargetGroupArn keys still load and mean slot a and slot b.
 */
export const albSchema = z
  .strictObject({
    router: z.literal('alb'),
    listenerArn: elbArn('listener'),
    /** Absent: the listener's default action carries the weighted target groups. */
    ruleArn: elbArn('listener-rule').optional(),
    targets: perSlot(targetGroupSchema).optional(),
    blueTargetGroupArn: elbArn('targetgroup').optional(),
    greenTargetGroupArn: elbArn('targetgroup').optional(),
    steps: stepsSchema,
    /** Requests to the public URL during every step; see src/config/probe-schema.ts. */
    probe: probeSchema.optional(),
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
    writtenAs: targets === undefined ? ('blueTargetGroupArn' as const) : ('targets' as const),
  }));

export type AlbTraffic = z.output<typeof albSchema>;
