/**
 * What a router kind provides, so that config, plan, analysis, API and server derive from it and a new
 * kind (Gateway API, Global Accelerator, NLB) is one folder plus one line in ./registry.ts.
 */
import type { Logger } from 'pino';
import type { SideValues } from '../analysis/plan.js';
import type { MinimumBake } from '../config/steps-schema.js';
import type { TrafficRouter } from '../domain/ports.js';
import type { PromotionRoles, SlotName } from '../domain/slots.js';
import type { AwsClients } from '../providers/aws/clients.js';
import type { KeyedSerializer } from '../providers/aws/serial.js';

/** What a router adapter may use: the process's AWS clients and write serializer, and a logger. */
export interface RouterContext {
  readonly aws: AwsClients;
  /** One per process: no two weight changes to one hosted zone or listener ever interleave. */
  readonly serializer: KeyedSerializer;
  readonly log: Logger;
}

/** One platform's router configuration, with what every part of Switchyard needs to know of it. */
export interface BoundRouter {
  /** The shortest bake (and drain delay) this router allows, and what that floor is called. */
  minimumBake(): MinimumBake;
  /** Analysis placeholders the router fills: all of them, and those that differ between the sides. */
  readonly placeholders: { readonly all: readonly string[]; readonly perSide: readonly string[] };
  /** The values of those placeholders for one promotion's blue and green. */
  placeholderValues(roles: PromotionRoles): SideValues;
  /** Where the router sends a slot's traffic, for people (plan, platform views). */
  describeTarget(slot: SlotName): string;
  /** The older key the file used for the targets ("blue", …), undefined when it used `targets`. */
  readonly legacyKey: string | undefined;
  /** The adapter, with the live slot's target as blue and the other slot's as green. */
  create(roles: PromotionRoles, context: RouterContext): TrafficRouter;
}
