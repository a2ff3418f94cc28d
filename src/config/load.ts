import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sideValues, toAnalysisSpec } from '../analysis/plan.js';
import { InvalidInputError } from '../domain/errors.js';
import type { FleetStrategy } from '../domain/fleet.js';
import type { PromotionPlan } from '../domain/plan.js';
import type { PromotionRoles } from '../domain/slots.js';
import { greenPercent } from '../domain/weights.js';
import { stageMembers } from '../fleet/members.js';
import { resolveNotificationEnv } from '../providers/notify/config.js';
import { routerFor } from '../routers/registry.js';
import type { SlotCluster } from './cluster-schema.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { fleetStrategySchema } from './fleet-schema.js';
import { configErrorMap, describeValue, toConfigIssues } from './issues.js';
import { toProbeSpec } from './probe-schema.js';
import { type ControllerConfig, controllerSchema, type PlatformConfig, platformSchema } from './schema.js';
import type { StoreConfig } from './store-schema.js';
import { readYamlFile } from './yaml.js';

export interface LoadConfigOptions {
  /** The controller config file; relative paths inside it are resolved against its folder. */
  readonly file: string;
  /** The environment to take overrides from; the caller passes process.env. Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  /** File paths (the SQLite store's, a kubeconfig, platformsDir) are absolute. */
  readonly controller: ControllerConfig;
  /** Keyed by platform name; kubeconfig paths are absolute. */
  readonly platforms: Map<string, PlatformConfig>;
  /** The controller config file, absolute. */
  readonly file: string;
  /** The fleet strategies of fleetsDir, keyed by strategy name (none when the folder does not exist). */
  readonly fleets: Map<string, FleetStrategy>;
}

/** An empty variable counts as unset, the way shells and container specs often "unset" one. */
const setting = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const envSchema = z.object({
  AWS_REGION: setting,
  AWS_ENDPOINT_URL: setting.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  SWITCHYARD_STORE_PATH: setting,
});

type Env = z.output<typeof envSchema>;

/**
 * Loads the controller config and every platform definition in its platformsDir (*.yaml and *.yml,
 * in name order). Throws a ConfigError listing every problem found, across all files.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const env = parseOrThrow(envSchema, options.env ?? {}, 'environment');

  const file = path.resolve(options.file);
  const baseDir = path.dirname(file);
  const raw = await readYamlFile(options.file, file);
  if (!raw.ok) throw new ConfigError(raw.issues);
  const notMapping = topLevelIssue(raw.value, options.file, 'controller');
  if (notMapping !== undefined) throw new ConfigError([notMapping]);
  const fromFile = parseOrThrow(controllerSchema, withEnv(raw.value, env), options.file);

  const controller: ControllerConfig = {
    ...fromFile,
    store: absoluteStore(fromFile.store, baseDir, env),
    platformsDir: path.resolve(baseDir, fromFile.platformsDir),
    fleetsDir: path.resolve(baseDir, fromFile.fleetsDir),
    auth: {
      ...fromFile.auth,
      ...(fromFile.auth.tokensFile === undefined
        ? {}
        : { tokensFile: path.resolve(baseDir, fromFile.auth.tokensFile) }),
    },
  };
  // Platform files are named in messages under the directory as the caller wrote it (config/platforms/…).
  const shownDir = path.isAbsolute(fromFile.platformsDir)
    ? fromFile.platformsDir
    : path.join(path.dirname(options.file), fromFile.platformsDir);
  const platforms = await loadPlatforms(
    controller.platformsDir,
    shownDir,
    baseDir,
    options.file,
    options.env ?? {},
  );
  const fleets = await loadFleets(
    controller.fleetsDir,
    shownFolder(options.file, fromFile.fleetsDir),
    options.file,
    platforms,
  );
  return { controller, platforms, file, fleets };
}

/** A folder named in the controller file, as the caller wrote it (config/fleets/…), for messages. */
function shownFolder(controllerFile: string, dir: string): string {
  return path.isAbsolute(dir) ? dir : path.join(path.dirname(controllerFile), dir);
}

/**
 * Every strategy file in fleetsDir (*.yaml, *.yml, in name order). A missing folder means no strategies:
 * fleets are optional. Each strategy's stages are also matched against the platforms now, so a platform
 * two stages select is reported at load, naming the file, rather than when a run is asked for.
 */
async function loadFleets(
  dir: string,
  shownDir: string,
  controllerFile: string,
  platforms: ReadonlyMap<string, PlatformConfig>,
): Promise<Map<string, FleetStrategy>> {
  const fleets = new Map<string, FleetStrategy>();
  const definedIn = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const folder = { dir, shownDir, controllerFile, key: 'fleetsDir', of: 'fleet strategy' } as const;
  for await (const { shown, data: strategy } of parsedFiles(folder, fleetStrategySchema, issues)) {
    const earlier = definedIn.get(strategy.name);
    if (earlier !== undefined) {
      issues.push({
        file: shown,
        path: 'name',
        problem: `strategy "${strategy.name}" is already defined in ${earlier}`,
      });
      continue;
    }
    try {
      stageMembers(strategy, [...platforms.values()]);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      issues.push({ file: shown, path: error.field, problem: error.problem });
      continue;
    }
    definedIn.set(strategy.name, shown);
    fleets.set(strategy.name, strategy);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return fleets;
}

async function loadPlatforms(
  dir: string,
  shownDir: string,
  baseDir: string,
  controllerFile: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Map<string, PlatformConfig>> {
  const platforms = new Map<string, PlatformConfig>();
  const definedIn = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const folder = { dir, shownDir, controllerFile, key: 'platformsDir', of: 'platform' } as const;
  for await (const parsed of parsedFiles(folder, platformSchema, issues)) {
    const { shown } = parsed;
    // Webhook URLs are secrets: a platform file may name the variable that holds one instead.
    const notifications = resolveNotificationEnv(parsed.data.notifications ?? [], env);
    if (notifications.issues.length > 0) {
      issues.push(...notifications.issues.map((issue) => ({ file: shown, ...issue })));
      continue;
    }
    const platform = withAbsoluteKubeconfigs(
      {
        ...parsed.data,
        ...(parsed.data.notifications ? { notifications: notifications.notifications } : {}),
      },
      baseDir,
    );
    const earlier = definedIn.get(platform.name);
    if (earlier !== undefined) {
      issues.push({
        file: shown,
        path: 'name',
        problem: `platform "${platform.name}" is already defined in ${earlier}`,
      });
      continue;
    }
    definedIn.set(platform.name, shown);
    platforms.set(platform.name, platform);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return platforms;
}

/**
 * Each YAML file of a config folder (platformsDir, fleetsDir) parsed with `schema`, in name order. A file
 * that cannot be read, is not a mapping or fails the schema adds its issues to `issues` when its turn
 * comes (so issues stay in file order) and is left out: one run of the loader reports every broken file.
 */
async function* parsedFiles<Schema extends z.ZodType>(
  folder: {
    readonly dir: string;
    readonly shownDir: string;
    readonly controllerFile: string;
    readonly key: 'platformsDir' | 'fleetsDir';
    readonly of: 'platform' | 'fleet strategy';
  },
  schema: Schema,
  issues: ConfigIssue[],
): AsyncGenerator<{ shown: string; data: z.output<Schema> }> {
  const { dir, shownDir, controllerFile, key, of } = folder;
  for (const name of await yamlFileNames(dir, shownDir, controllerFile, key)) {
    const shown = path.join(shownDir, name);
    const raw = await readYamlFile(shown, path.join(dir, name));
    if (!raw.ok) {
      issues.push(...raw.issues);
      continue;
    }
    const notMapping = topLevelIssue(raw.value, shown, of);
    if (notMapping !== undefined) {
      issues.push(notMapping);
      continue;
    }
    const parsed = parseIn(schema, raw.value, shown);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    yield { shown, data: parsed.data };
  }
}

/**
 * Names in a config folder ending in .yaml or .yml, sorted. Dot-files are skipped: editors' lock files,
 * and the "..data" entries of a Kubernetes ConfigMap mount (whose visible files are symlinks, so the
 * entry type is not filtered on: anything else with a YAML name is read, and fails loudly if it is not
 * a file). `key` is the controller file's key that named the folder, for the message.
 */
async function yamlFileNames(
  dir: string,
  shownDir: string,
  controllerFile: string,
  key: 'platformsDir' | 'fleetsDir',
): Promise<string[]> {
  try {
    const entries = await readdir(dir);
    return entries.filter((name) => !name.startsWith('.') && /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Fleets are optional: no folder, no strategies. Platforms are what the controller is for.
    if (code === 'ENOENT' && key === 'fleetsDir') return [];
    const problem =
      code === 'ENOENT'
        ? `directory ${shownDir} does not exist`
        : code === 'ENOTDIR'
          ? `${shownDir} is not a directory`
          : `cannot read directory ${shownDir}: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError([{ file: controllerFile, path: key, problem }]);
  }
}

function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  file: string,
): z.output<Schema> {
  const result = parseIn(schema, value, file);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.data;
}

/**
 * Parses `value` as the contents of `file`. A rule that throws on input it did not expect (a bug, but
 * one a strange file can reach) still ends as an issue naming the file, so the operator knows which
 * file to look at instead of reading a bare TypeError.
 */
function parseIn<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  file: string,
): { ok: true; data: z.output<Schema> } | { ok: false; issues: ConfigIssue[] } {
  let result: z.ZodSafeParseResult<z.output<Schema>>;
  try {
    result = schema.safeParse(value, { error: configErrorMap });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [
        { file, path: '', problem: `could not be checked (a Switchyard bug, please report): ${message}` },
      ],
    };
  }
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, issues: toConfigIssues(file, result.error.issues) };
}

/** The store settings with file paths made absolute. */
function absoluteStore(store: StoreConfig, baseDir: string, env: Env): StoreConfig {
  if (store.kind === 'kubernetes') {
    return store.kubeconfig === undefined
      ? store
      : { ...store, kubeconfig: { ...store.kubeconfig, path: path.resolve(baseDir, store.kubeconfig.path) } };
  }
  // A store path from the environment is the operator's, typed relative to where they run the command.
  const pathOf =
    env.SWITCHYARD_STORE_PATH === undefined
      ? resolvePath(baseDir, store.path)
      : resolvePath(process.cwd(), env.SWITCHYARD_STORE_PATH);
  return { ...store, path: pathOf };
}

/**
 * AWS_REGION and AWS_ENDPOINT_URL fill aws.region and aws.endpoint when the file leaves them out (the
 * file wins: it is the reviewed source); SWITCHYARD_STORE_PATH replaces store.path. Applied to the raw
 * YAML so that the schema judges the merged result; a malformed section is left for the schema to report.
 */
function withEnv(raw: unknown, env: Env): unknown {
  if (!isMapping(raw)) return raw;
  const merged: Record<string, unknown> = { ...raw };
  const aws = raw.aws ?? {};
  if (isMapping(aws) && (env.AWS_REGION !== undefined || env.AWS_ENDPOINT_URL !== undefined)) {
    merged.aws = {
      ...(env.AWS_REGION === undefined ? {} : { region: env.AWS_REGION }),
      ...(env.AWS_ENDPOINT_URL === undefined ? {} : { endpoint: env.AWS_ENDPOINT_URL }),
      ...aws,
    };
  }
  const store = raw.store ?? {};
  // The path of a kubernetes store would be refused as an unknown key: the variable is for SQLite.
  if (isMapping(store) && store.kind !== 'kubernetes' && env.SWITCHYARD_STORE_PATH !== undefined) {
    merged.store = { ...store, path: env.SWITCHYARD_STORE_PATH };
  }
  return merged;
}

/**
 * A document must be a mapping before the schema sees it: the schema's cross-field rules read fields,
 * and "expected a mapping" followed by "slots: required" would describe a file that is not there.
 */
function topLevelIssue(
  value: unknown,
  file: string,
  of: 'controller' | 'platform' | 'fleet strategy',
): ConfigIssue | undefined {
  if (isMapping(value)) return undefined;
  // A list of mappings is most likely several platforms in one file, or one written under a "- ".
  const hint =
    of === 'platform' && Array.isArray(value) && value.some(isMapping)
      ? ' (one platform per file, its keys at the top level, not under a "- ")'
      : '';
  return {
    file,
    path: '',
    problem: `the top level must be a mapping of ${of} settings, got ${describeValue(value)}${hint}`,
  };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ":memory:" is SQLite's in-memory database, not a file name. */
function resolvePath(base: string, target: string): string {
  return target === ':memory:' ? target : path.resolve(base, target);
}

function withAbsoluteKubeconfigs(platform: PlatformConfig, baseDir: string): PlatformConfig {
  const absolute = (slot: SlotCluster): SlotCluster =>
    slot.kubeconfig === undefined
      ? slot
      : { ...slot, kubeconfig: { ...slot.kubeconfig, path: path.resolve(baseDir, slot.kubeconfig.path) } };
  const source = platform.services.source;
  const services =
    source.kind === 'manifests'
      ? { ...platform.services, source: { ...source, directory: path.resolve(baseDir, source.directory) } }
      : platform.services;
  return { ...platform, slots: { a: absolute(platform.slots.a), b: absolute(platform.slots.b) }, services };
}

/**
 * The platform's promotion settings as the engine uses them: durations in milliseconds, the effective
 * TTL in seconds, and the platform's poll interval or else the controller's. Analysis placeholders are
 * filled in for the promotion's blue and green.
 */
export function toPromotionPlan(
  platform: PlatformConfig,
  controller: ControllerConfig,
  roles: PromotionRoles,
): PromotionPlan {
  const { rollback, retry } = platform;
  const router = routerFor(platform.traffic);
  const sides = sideValues(roles, router.placeholderValues(roles));
  return {
    ttlSeconds: router.minimumBake().ms / 1000,
    steps: platform.traffic.steps.map((step, i) => ({
      green: greenPercent(step.green, `traffic.steps[${i}].green`),
      bakeMs: step.bake,
      approval: step.approval === 'required',
      ...(step.analysis?.length ? { analysis: step.analysis.map((a) => toAnalysisSpec(a, sides)) } : {}),
    })),
    rollback: {
      mode: rollback.mode,
      green: rollback.green,
      drainDelayMs: rollback.drainDelay,
      automatic: rollback.automatic,
      steps: [...rollback.steps],
      stepBakeMs: rollback.stepBake,
    },
    retry: { maxAttempts: retry.maxAttempts, baseDelayMs: retry.baseDelay, maxDelayMs: retry.maxDelay },
    stageTimeoutsMs: { ...platform.stageTimeouts },
    pollIntervalMs: platform.pollInterval ?? controller.reconciler.pollInterval,
    ...(platform.traffic.probe && { probe: toProbeSpec(platform.traffic.probe) }),
  };
}
