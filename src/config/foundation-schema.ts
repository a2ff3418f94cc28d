import { z } from 'zod';
import type { FoundationSpec } from '../providers/kubernetes/health/spec.js';
import { positiveDurationMs } from './duration.js';

const componentSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['Deployment', 'DaemonSet', 'StatefulSet']),
  namespace: z.string().min(1),
  workload: z.string().min(1),
  minReady: z.int().min(0).optional(),
  image: z.string().min(1).optional(),
  container: z.string().min(1).optional(),
  optional: z.boolean().optional(),
  dnsProbe: z
    .strictObject({
      host: z.string().min(1),
      server: z.string().min(1).optional(),
      timeout: positiveDurationMs.optional(),
    })
    .transform(({ timeout, ...probe }) => ({
      ...probe,
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    }))
    .optional(),
});

/**
 * What green's foundation must look like before it is live. Left out: the EKS defaults (coredns,
 * aws-node, kube-proxy in kube-system; at least one Ready node).
 */
export const foundationSchema = z
  .strictObject({
    components: z.array(componentSchema).min(1),
    nodes: z.strictObject({
      expectedReady: z.int().min(0),
      allowPressure: z.boolean().optional(),
      selector: z.string().min(1).optional(),
    }),
    pods: z
      .strictObject({
        restartThreshold: z.int().min(0).optional(),
        window: positiveDurationMs.optional(),
        namespaces: z.array(z.string().min(1)).min(1).optional(),
        unschedulableGrace: positiveDurationMs.optional(),
      })
      .transform(({ window, unschedulableGrace, ...pods }) => ({
        ...pods,
        ...(window === undefined ? {} : { windowMs: window }),
        ...(unschedulableGrace === undefined ? {} : { unschedulableGraceMs: unschedulableGrace }),
      }))
      .optional(),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.components.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['components', i, 'name'],
          message: `"${c.name}" is listed twice`,
        });
      seen.add(c.name);
    });
  });

// The parsed config must be exactly what the health checks take.
export type FoundationConfig = z.output<typeof foundationSchema>;
const _fits = (config: FoundationConfig): FoundationSpec => config;
void _fits;
