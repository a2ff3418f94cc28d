/**
 * A platform's `traffic` section. Each router kind owns its schema (src/routers/<kind>/); the registry
 * combines them. Re-exported here so config code reads config modules.
 */

export type { AlbTraffic } from '../routers/alb/config.js';
export { type TrafficConfig, trafficSchema } from '../routers/registry.js';
export type { Route53Alias, Route53Target, Route53Traffic } from '../routers/route53/config.js';
