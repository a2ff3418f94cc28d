import { z } from 'zod';
import type { ServicesSpec } from '../providers/kubernetes/services/spec.js';
import { positiveDurationMs } from './duration.js';

const workloadRef = z.strictObject({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  namespace: z.string().min(1),
  name: z.string().min(1),
});

const sourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('copy'),
    /** A list of namespaces, or { selector: "label selector" } on blue's namespaces. */
    namespaces: z.union(
      [z.array(z.string().min(1)).min(1), z.strictObject({ selector: z.string().min(1) })],
      {
        error: 'must be a list of namespaces or { selector: "label selector" }',
      },
    ),
  }),
  z.strictObject({ kind: z.literal('manifests'), directory: z.string().min(1) }),
  z.strictObject({ kind: z.literal('external'), workloads: z.array(workloadRef).min(1) }),
]);

const smokeSchema = z
  .strictObject({
    name: z.string().min(1),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    expectStatus: z.int().min(100).max(599).optional(),
    bodyMatch: z.string().min(1).optional(),
    hostHeader: z.string().min(1).optional(),
    retries: z.int().min(0).max(20).optional(),
    timeout: positiveDurationMs.optional(),
  })
  .transform(({ timeout, ...probe }) => ({
    ...probe,
    ...(timeout === undefined ? {} : { timeoutMs: timeout }),
  }));

/**
 * How the platform's services reach green, and how they are judged before taking traffic. Required:
 * a promotion that deploys nothing and probes nothing would shift traffic to an unqualified cluster.
 */
export const servicesSchema = z.strictObject({
  source: sourceSchema,
  allowStateful: z.boolean().optional(),
  smoke: z.array(smokeSchema).optional(),
});

export type ServicesConfig = z.output<typeof servicesSchema>;
const _fits = (config: ServicesConfig): ServicesSpec => config;
void _fits;
