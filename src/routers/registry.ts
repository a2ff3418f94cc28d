/**
 * The router kinds Switchyard knows, and the one place outside their own folders that names them:
 * config, plan, analysis, API and server derive from here. A new kind is a folder beside route53/ and
 * alb/ plus one entry below.
 */
import { z } from 'zod';
import { basePlaceholders } from '../analysis/plan.js';
import { checkSteps } from '../config/steps-schema.js';
import { albRouter, albSchema } from './alb/index.js';
import type { BoundRouter } from './kind.js';
import type { RouterName } from './names.js';
import { route53Router, route53Schema } from './route53/index.js';

const kinds = {
  route53: { schema: route53Schema, bind: route53Router },
  alb: { schema: albSchema, bind: albRouter },
} as const satisfies Record<RouterName, unknown>;

// Every name in ./names.ts has a kind above, and every kind a name.
const _sameNames: Record<keyof typeof kinds, true> = { route53: true, alb: true } satisfies Record<
  RouterName,
  true
>;
void _sameNames;

export { type RouterName, routerNames } from './names.js';

/** A platform's `traffic` section: one of the kinds' schemas, chosen by `router`, with the step rules. */
export const trafficSchema = z
  .discriminatedUnion('router', [kinds.route53.schema, kinds.alb.schema])
  .superRefine((traffic, ctx) => {
    const router = routerFor(traffic);
    checkSteps(traffic, router.minimumBake(), analysisPlaceholders(router), ctx);
  });

export type TrafficConfig = z.output<typeof trafficSchema>;

/** The router kind of a platform's traffic section, bound to it. */
export function routerFor(traffic: TrafficConfig): BoundRouter {
  const bind = kinds[traffic.router].bind as (config: TrafficConfig) => BoundRouter;
  return bind(traffic);
}

/** Every placeholder an analysis may use with this router: the base ones and the router's own. */
export function analysisPlaceholders(router: BoundRouter) {
  return {
    all: [...basePlaceholders.all, ...router.placeholders.all],
    perSide: [...basePlaceholders.perSide, ...router.placeholders.perSide],
  };
}
