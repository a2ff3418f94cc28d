import { z } from 'zod';
import { positiveDurationMs } from './duration.js';
import { requiredOr } from './required.js';

/** The embedded default: one SQLite file, one controller (a second one refuses to start). */
const sqliteStoreSchema = z.strictObject({
  kind: z.literal('sqlite'),
  path: z.string({ error: requiredOr('SWITCHYARD_STORE_PATH') }).min(1),
});

/**
 * Promotions as switchyard.dev resources in a namespace of the management cluster, for two or more
 * replicas: one leads (a coordination.k8s.io Lease) and drives promotions; every replica serves the API.
 */
const kubernetesStoreSchema = z
  .strictObject({
    kind: z.literal('kubernetes'),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a namespace name (a DNS label)'),
    /** The management cluster; absent: the pod's own service account (in-cluster config). */
    kubeconfig: z.strictObject({ path: z.string().min(1), context: z.string().min(1) }).optional(),
    lease: z
      .strictObject({
        name: z.string().min(1).default('switchyard-leader'),
        /** How long a leader's claim lasts after its last renewal (whole seconds). */
        duration: positiveDurationMs
          .prefault('15s')
          .refine((ms) => ms % 1000 === 0, 'must be whole seconds (a Lease stores seconds)'),
        /** The leader stops acting when no renewal succeeded for this long. */
        renewDeadline: positiveDurationMs.prefault('10s'),
        /** Time between renewals and between a candidate's attempts. */
        retryPeriod: positiveDurationMs.prefault('2s'),
      })
      .prefault({})
      .refine(
        (l) => l.retryPeriod < l.renewDeadline && l.renewDeadline < l.duration,
        'need retryPeriod < renewDeadline < duration',
      ),
  })
  .strict();

/**
 * `store:` in the controller file. A store without `kind` is the SQLite one (the file shape before
 * there was a choice), so old files keep working.
 */
export const storeSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !('kind' in value)
      ? { kind: 'sqlite', ...value }
      : value,
  z.discriminatedUnion('kind', [sqliteStoreSchema, kubernetesStoreSchema], {
    error: (issue) =>
      issue.input === undefined
        ? 'required (or set the SWITCHYARD_STORE_PATH environment variable)'
        : 'kind must be "sqlite" (one controller, a SQLite file) or "kubernetes" (replicas, resources in a namespace)',
  }),
);

export type StoreConfig = z.output<typeof storeSchema>;
export type KubernetesStoreConfig = Extract<StoreConfig, { kind: 'kubernetes' }>;
