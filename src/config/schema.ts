import { z } from 'zod';
import { clusterNameFor, nameFits, nameNeedsVersion, slotNames } from '../domain/slots.js';
import { stageNames } from '../domain/stages.js';
import { greenPolicies, rollbackModes } from '../domain/words.js';
import { routerFor } from '../routers/registry.js';
import { blueSchema, greenSchema, type SlotCluster, slotSchema } from './cluster-schema.js';
import { durationMs, formatDuration, positiveDurationMs } from './duration.js';
import { foundationSchema } from './foundation-schema.js';
import { labelsSchema } from './labels-schema.js';
import { requiredOr } from './required.js';
import { servicesSchema } from './services-schema.js';
import { storeSchema } from './store-schema.js';
import { trafficSchema } from './traffic-schema.js';

/**
 * Platforms whose passes may run at the same time. Passes mostly wait on AWS and the clusters, so this
 * keeps provider I/O busy; measured with 100 promotions (bench/p3-fleet.bench.ts), 16 finished first
 * and more only raised the controller's peak memory. Writes to one hosted zone or listener still go
 * one at a time whatever it is (KeyedSerializer), and two passes of one promotion never overlap.
 */
export const defaultMaxConcurrentPlatforms = 16;

/**
 * The controller config file. Sections with defaults may be left out. Durations are milliseconds once
 * parsed; paths are made absolute by the loader.
 */
export const controllerSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65_535).default(8080),
      /** Mutating API requests each caller may make per minute, over all mutating routes together. */
      mutationsPerMinute: z.int().min(1).default(60),
    })
    .prefault({}),
  store: storeSchema,
  reconciler: z
    .strictObject({
      maxConcurrentPlatforms: z.int().min(1).default(defaultMaxConcurrentPlatforms),
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
  /** Fleet strategy files (*.yaml); relative to this file's folder; a missing folder means none. */
  fleetsDir: z.string().min(1).default('fleets'),
  auth: z
    .strictObject({
      /** YAML list of { name, role, sha256 } (or token, hashed at load); relative to this file's folder. */
      tokensFile: z.string().min(1).optional(),
      /** Let GET requests through without a token. Mutations always need one. */
      publicReads: z.boolean().default(false),
    })
    .prefault({}),
});

const rollbackSchema = z
  .strictObject({
    mode: z.enum(rollbackModes).default('instant'),
    green: z.enum(greenPolicies).default('keep'),
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
  /** A link to each fleet run in the API or a dashboard; "{id}" is replaced by the run id. */
  fleetRunUrl: httpUrl.refine((url) => url.includes('{id}'), 'must contain "{id}"').optional(),
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
const crossChecked = new Set<PropertyKey>(['slots', 'blue', 'green', 'traffic', 'rollback', 'initialLive']);

const slotName = z.enum(slotNames);

const platformFields = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-"'),
  /** The two cluster slots. Which one is live is stored state; see initialLive. */
  slots: z.strictObject({ a: slotSchema, b: slotSchema }).optional(),
  /** The slot that is live when the platform is first seen (default a); afterwards the store decides. */
  initialLive: slotName.optional(),
  /** The live cluster's name when first seen, needed only when that slot's name uses {version}. */
  initialLiveCluster: clusterNameSchema().optional(),
  /** The older file shape: blue is slot a (live at first), green is slot b. */
  blue: blueSchema.optional(),
  green: greenSchema.optional(),
  /** What fleet strategies select this platform by (`env: prod`), in Kubernetes label syntax. */
  labels: labelsSchema.default({}),
  /** How many minor versions one promotion may move up (1.34 → 1.35 is one). */
  maxVersionJump: z.int().min(1).max(5).default(1),
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
 * rollback.stepBake are filled in (the TTL) when left out. Both file shapes come out as `slots`.
 */
export const platformSchema = platformFields
  // Runs even when unrelated fields (name, retry, …) failed, so one load reports all of a file's problems.
  .superRefine(checkPlatform, {
    // Only on a mapping whose cross-checked sections parsed: a list or scalar file has nothing to compare.
    when: (payload) =>
      typeof payload.value === 'object' &&
      payload.value !== null &&
      !Array.isArray(payload.value) &&
      !payload.issues.some((issue) => crossChecked.has(issue.path?.[0] ?? '')),
  })
  .transform(({ rollback, slots, blue, green, initialLive, initialLiveCluster, ...platform }) => {
    // Drain and rollback bakes default to the router's minimum bake (the TTL, for DNS).
    const ttl = routerFor(platform.traffic).minimumBake().ms;
    return {
      ...platform,
      slots: slots ?? legacySlots(blue, green),
      shape: slots === undefined ? ('blue-green' as const) : ('slots' as const),
      initialLive: initialLive ?? 'a',
      ...(initialLiveCluster === undefined ? {} : { initialLiveCluster }),
      rollback: { ...rollback, drainDelay: rollback.drainDelay ?? ttl, stepBake: rollback.stepBake ?? ttl },
    };
  });

function clusterNameSchema() {
  return blueSchema.shape.clusterName;
}

type BlueConfig = z.output<typeof blueSchema>;

/**
 * The blue/green shape as slots: blue is slot a, green slot b. When slot a is green in a later promotion
 * its cluster is built the way green's is (same mode and template), under blue's name.
 */
function legacySlots(
  blue: BlueConfig | undefined,
  green: SlotCluster | undefined,
): { a: SlotCluster; b: SlotCluster } {
  // checkPlatform guarantees both are present in this shape.
  const b = green as SlotCluster;
  const a = blue as BlueConfig;
  return {
    a: { ...b, clusterName: a.clusterName, kubeconfig: a.kubeconfig },
    b,
  };
}

function checkPlatform(platform: z.output<typeof platformFields>, ctx: z.core.$RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const legacy = platform.blue !== undefined || platform.green !== undefined;
  if (platform.slots !== undefined && legacy) {
    issue(['slots'], 'use slots (a, b) or the older blue/green keys, not both');
    return;
  }
  if (platform.slots === undefined) {
    if (!legacy) {
      issue(['slots'], 'required: two cluster slots, as slots: { a: …, b: … }');
      return;
    }
    if (platform.blue === undefined || platform.green === undefined) {
      issue([platform.blue === undefined ? 'blue' : 'green'], 'required with the blue/green keys');
      return;
    }
    checkLegacy(platform, platform.blue, platform.green, issue);
  } else {
    checkSlots(platform, platform.slots, issue);
  }
  const minimum = routerFor(platform.traffic).minimumBake();
  const { drainDelay, stepBake } = platform.rollback;
  for (const [field, value] of [
    ['drainDelay', drainDelay],
    ['stepBake', stepBake],
  ] as const) {
    if (value !== undefined && value < minimum.ms) {
      issue(
        ['rollback', field],
        `must be at least ${minimum.what} (${formatDuration(minimum.ms)}), got ${formatDuration(value)}`,
      );
    }
  }
}

type Issue = (path: PropertyKey[], message: string) => void;

function checkLegacy(
  platform: z.output<typeof platformFields>,
  blue: BlueConfig,
  green: SlotCluster,
  issue: Issue,
): void {
  if (blue.clusterName === green.clusterName) {
    issue(['green', 'clusterName'], `must differ from blue's (${JSON.stringify(blue.clusterName)})`);
  }
  if (sameContext(blue.kubeconfig, green.kubeconfig)) {
    issue(['green', 'kubeconfig', 'context'], "must differ from blue's: both would reach the same cluster");
  }
  if (platform.initialLive !== undefined || platform.initialLiveCluster !== undefined) {
    issue(
      [platform.initialLive !== undefined ? 'initialLive' : 'initialLiveCluster'],
      'only with slots: in the blue/green shape blue (slot a) is live at first',
    );
  }
}

function checkSlots(
  platform: z.output<typeof platformFields>,
  slots: { a: SlotCluster; b: SlotCluster },
  issue: Issue,
): void {
  // Two slots whose names can coincide would make a promotion build green on top of its own blue.
  if (namesCanClash(slots.a.clusterName, slots.b.clusterName)) {
    issue(
      ['slots', 'b', 'clusterName'],
      `can name the same cluster as slot a's ${JSON.stringify(slots.a.clusterName)}: use {slot}, or names that differ`,
    );
  }
  const legacyKey = routerFor(platform.traffic).legacyKey;
  if (legacyKey !== undefined) {
    issue(['traffic', legacyKey], 'with slots, give each slot its target under traffic.targets (a, b)');
  }
  if (sameContext(slots.a.kubeconfig, slots.b.kubeconfig)) {
    issue(
      ['slots', 'b', 'kubeconfig', 'context'],
      "must differ from slot a's: both would reach the same cluster",
    );
  }
  const initial = platform.initialLive ?? 'a';
  const needsCluster = nameNeedsVersion(slots[initial].clusterName);
  if (needsCluster && platform.initialLiveCluster === undefined) {
    issue(
      ['initialLiveCluster'],
      `required: slot ${initial}'s name ${JSON.stringify(slots[initial].clusterName)} uses {version}, so name the cluster that is live today`,
    );
  }
  if (!needsCluster && platform.initialLiveCluster !== undefined) {
    issue(
      ['initialLiveCluster'],
      `only needed when slot ${initial}'s name uses {version}; its cluster is ${clusterNameFor(slots[initial].clusterName, initial, '')}`,
    );
  }
}

/**
 * Whether slot a's and slot b's names can ever be equal. A promotion's green is always at a newer
 * version than its blue, so two {version} names clash only if they are equal for different versions
 * too; a fixed name clashes with a {version} name it could become.
 */
export function namesCanClash(a: string, b: string): boolean {
  const hasVersion = [a, b].map(nameNeedsVersion);
  if (hasVersion[0] && hasVersion[1])
    return clusterNameFor(a, 'a', '1.98') === clusterNameFor(b, 'b', '1.99');
  if (hasVersion[0]) return nameFits(a, 'a', clusterNameFor(b, 'b', ''));
  if (hasVersion[1]) return nameFits(b, 'b', clusterNameFor(a, 'a', ''));
  return clusterNameFor(a, 'a', '') === clusterNameFor(b, 'b', '');
}

function sameContext(
  first: { path: string; context: string } | undefined,
  second: { path: string; context: string } | undefined,
): boolean {
  return (
    first !== undefined &&
    second !== undefined &&
    first.path === second.path &&
    first.context === second.context
  );
}

export type ControllerConfig = z.output<typeof controllerSchema>;
export type PlatformConfig = z.output<typeof platformSchema>;
