import { z } from 'zod';
import { stageNames } from '../domain/stages.js';
import { blueSchema, greenSchema } from './cluster-schema.js';
import { durationMs, formatDuration, positiveDurationMs } from './duration.js';
import { foundationSchema } from './foundation-schema.js';
import { servicesSchema } from './services-schema.js';
import { effectiveTtlMs, trafficSchema } from './traffic-schema.js';

/**
 * The controller config file. Sections with defaults may be left out. Durations are milliseconds once
 * parsed; paths are made absolute by the loader.
 */
export const controllerSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65_535).default(8080),
    })
    .prefault({}),
  store: z.strictObject(
    { path: z.string({ error: requiredOr('SWITCHYARD_STORE_PATH') }).min(1) },
    { error: requiredOr('SWITCHYARD_STORE_PATH') },
  ),
  reconciler: z
    .strictObject({
      maxConcurrentPlatforms: z.int().min(1).default(4),
      pollInterval: positiveDurationMs.prefault('10s'),
    })
    .prefault({}),
  aws: z.strictObject(
    {
      region: z
        .string({ error: requiredOr('AWS_REGION') })
        .regex(/^[a-z0-9-]+$/, 'must be a region like us-east-1'),
      endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    },
    { error: requiredOr('AWS_REGION') },
  ),
  platformsDir: z.string().min(1).default('platforms'),
  auth: z
    .strictObject({
      /** YAML list of { name, role, sha256 } (or token, hashed at load); relative to this file's folder. */
      tokensFile: z.string().min(1).optional(),
      /** Let GET requests through without a token. Mutations always need one. */
      publicReads: z.boolean().default(false),
    })
    .prefault({}),
});

function requiredOr(variable: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `required (or set the ${variable} environment variable)` : undefined;
}

const rollbackSchema = z
  .strictObject({
    mode: z.enum(['instant', 'stepped']).default('instant'),
    green: z.enum(['keep', 'teardown']).default('keep'),
    /** Required with teardown (deleting a cluster deserves an explicit wait); defaults to the TTL otherwise. */
    drainDelay: durationMs.optional(),
    automatic: z.boolean().default(true),
    steps: z
      .array(z.int().min(1).max(99))
      .min(1)
      .superRefine((steps, ctx) => {
        steps.forEach((step, i) => {
          const previous = steps[i - 1];
          if (previous !== undefined && step >= previous) {
            ctx.addIssue({
              code: 'custom',
              path: [i],
              message: `must be less than the previous step (${previous})`,
            });
          }
        });
      })
      .default(() => [50, 10]),
    /** Defaults to the TTL. */
    stepBake: durationMs.optional(),
  })
  .superRefine((rollback, ctx) => {
    if (rollback.green === 'teardown' && rollback.drainDelay === undefined) {
      ctx.addIssue({ code: 'custom', path: ['drainDelay'], message: 'required when green is "teardown"' });
    }
  });

const retrySchema = z
  .strictObject({
    maxAttempts: z.int().min(1).default(5),
    baseDelay: positiveDurationMs.prefault('2s'),
    maxDelay: positiveDurationMs.prefault('2m'),
  })
  .superRefine((retry, ctx) => {
    if (retry.maxDelay < retry.baseDelay) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxDelay'],
        message: `must be at least baseDelay (${formatDuration(retry.baseDelay)})`,
      });
    }
  });

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name');

/** Fields every notification target has. The webhook URL is a secret: inline, or from the environment. */
const notificationTarget = {
  /** The `notifier` label in metrics and logs; defaults to the kind. */
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and "-"')
    .optional(),
  webhookUrl: httpUrl.optional(),
  /** Resolved by the loader from the environment it is given. */
  webhookUrlFromEnv: envName.optional(),
  /** A link to each promotion in the API or a dashboard; "{id}" is replaced by the promotion id. */
  promotionUrl: httpUrl.refine((url) => url.includes('{id}'), 'must contain "{id}"').optional(),
};

const notificationSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('slack'), ...notificationTarget }),
    /** CloudEvents 1.0 JSON to any HTTP endpoint. */
    z.strictObject({
      kind: z.literal('webhook'),
      ...notificationTarget,
      headers: z.record(headerName, z.string()).optional(),
      /** Header values that are secrets (e.g. Authorization), named by environment variable. */
      headersFromEnv: z.record(headerName, envName).optional(),
    }),
  ])
  .superRefine((target, ctx) => {
    const has = [target.webhookUrl, target.webhookUrlFromEnv].filter((v) => v !== undefined).length;
    if (has !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `needs exactly one of webhookUrl or webhookUrlFromEnv, has ${has === 0 ? 'neither' : 'both'}`,
      });
    }
  });

/** Sections the platform-wide rules read; those rules wait until these parsed cleanly. */
const crossChecked = new Set<PropertyKey>(['blue', 'green', 'traffic', 'rollback']);

const platformFields = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-"'),
  blue: blueSchema,
  green: greenSchema,
  traffic: trafficSchema,
  rollback: rollbackSchema.prefault({}),
  retry: retrySchema.prefault({}),
  stageTimeouts: z.partialRecord(z.enum(stageNames), positiveDurationMs).optional(),
  /** Overrides the controller's reconciler.pollInterval for this platform. */
  pollInterval: positiveDurationMs.optional(),
  /** What green's foundation software must look like; EKS defaults when left out. */
  foundation: foundationSchema.optional(),
  services: servicesSchema,
  /** Where stage transitions, traffic steps, gates, failures and rollbacks are posted. */
  notifications: z.array(notificationSchema).optional(),
});

/**
 * One platform definition file. Durations are milliseconds once parsed; rollback.drainDelay and
 * rollback.stepBake are filled in (the TTL) when left out.
 */
export const platformSchema = platformFields
  // Runs even when unrelated fields (name, retry, …) failed, so one load reports all of a file's problems.
  .superRefine(checkPlatform, {
    when: (payload) => !payload.issues.some((issue) => crossChecked.has(issue.path?.[0] ?? '')),
  })
  .transform(({ rollback, ...platform }) => {
    const ttl = effectiveTtlMs(platform.traffic);
    return {
      ...platform,
      rollback: { ...rollback, drainDelay: rollback.drainDelay ?? ttl, stepBake: rollback.stepBake ?? ttl },
    };
  });

function checkPlatform(platform: z.output<typeof platformFields>, ctx: z.core.$RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (platform.blue.clusterName === platform.green.clusterName) {
    issue(['green', 'clusterName'], `must differ from blue's (${JSON.stringify(platform.blue.clusterName)})`);
  }
  const blueContext = platform.blue.kubeconfig;
  const greenContext = platform.green.kubeconfig;
  if (
    blueContext &&
    greenContext &&
    blueContext.path === greenContext.path &&
    blueContext.context === greenContext.context
  ) {
    issue(['green', 'kubeconfig', 'context'], "must differ from blue's: both would reach the same cluster");
  }
  const ttl = effectiveTtlMs(platform.traffic);
  const { drainDelay, stepBake } = platform.rollback;
  for (const [field, value] of [
    ['drainDelay', drainDelay],
    ['stepBake', stepBake],
  ] as const) {
    if (value !== undefined && value < ttl) {
      issue(
        ['rollback', field],
        `must be at least the TTL (${formatDuration(ttl)}), got ${formatDuration(value)}`,
      );
    }
  }
}

export type ControllerConfig = z.output<typeof controllerSchema>;
export type PlatformConfig = z.output<typeof platformSchema>;
