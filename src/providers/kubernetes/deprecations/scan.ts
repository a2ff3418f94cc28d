/**
 * Finds the Kubernetes APIs that blue's workloads still use but the target release no longer serves.
 *
 * What each source can and cannot tell, honestly:
 * - Live objects. An object is stored once and served at every version its server serves, so listing
 *   at an old version returns all objects of the kind and says nothing about how they were written. We
 *   list each at-risk kind at its best served version and read authoring evidence from the objects:
 *   an object counts as "live" use only when blue serves the kind at no version the target keeps
 *   (nothing else can hold it, e.g. PodSecurityPolicy), or when one of its field managers last wrote
 *   it at a removed version blue still serves. When blue still serves a removed version we also warn:
 *   the API clients calling it (controllers, CI jobs) are invisible to an object scan.
 * - last-applied: `kubectl apply` keeps the applied manifest on the object; its apiVersion is what the
 *   manifest said at the last apply. It can be stale: the manifest may have been fixed and not applied.
 * - Helm (Secret storage driver only): each release's deployed revision keeps the rendered manifest
 *   and hooks; those apiVersions are what the next `helm upgrade` compares against (it refuses a
 *   release whose stored manifest names an API the cluster no longer serves) and what a reinstall
 *   on green would send, unless the chart picks versions by .Capabilities.
 */
import { ApiException, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CheckResult } from '../../../domain/ports.js';
import { type Finding, judge, removedApisCheck, type Sighting } from './classify.js';
import { currentRevisions, decodeRelease, helmReleaseSecretType, releaseSightings } from './helm.js';
import { scanLiveObjects, servedApiVersions } from './live.js';
import { parseVersion } from './version.js';

export interface RemovedApiScan {
  readonly checks: CheckResult[];
  readonly warnings: string[];
  readonly findings: Finding[];
}

export async function scanRemovedApis(options: {
  readonly blue: KubeConfig;
  /** "1.35", "v1.35.4", "1.35.0-eks-…": only major.minor matters. */
  readonly targetVersion: string;
  readonly log?: Logger | undefined;
  /** Scan only these namespaces (and skip cluster-scoped kinds); default: the whole cluster. */
  readonly namespaces?: readonly string[] | undefined;
}): Promise<RemovedApiScan> {
  const target = parseVersion(options.targetVersion);
  const { log, namespaces } = options;
  let served: Set<string>;
  try {
    served = await servedApiVersions(options.blue);
  } catch (error) {
    const evidence = `cannot run API discovery on blue: ${describeError(error)}`;
    log?.warn({ err: error }, evidence);
    return {
      checks: [{ name: 'removed-apis', verdict: 'inconclusive', evidence }],
      warnings: [],
      findings: [],
    };
  }
  const [live, helm] = await Promise.all([
    scanLiveObjects({ blue: options.blue, target, served, namespaces }),
    scanHelmReleases(options.blue, namespaces),
  ]);
  const { findings, warnings } = judge([...live.sightings, ...helm.sightings], target);
  const unreadable = [...live.unreadable, ...helm.unreadable];
  const check = removedApisCheck(findings, target, {
    objects: live.objects,
    releases: helm.releases,
    unreadable,
  });
  log?.info(
    {
      target: options.targetVersion,
      findings: findings.length,
      objects: live.objects,
      releases: helm.releases,
    },
    'scanned blue for removed APIs',
  );
  return { checks: [check], warnings: [...live.servedWarnings, ...warnings], findings };
}

async function scanHelmReleases(
  blue: KubeConfig,
  namespaces: readonly string[] | undefined,
): Promise<{ sightings: Sighting[]; releases: number; unreadable: string[] }> {
  const core = blue.makeApiClient(CoreV1Api);
  // Only deployed revisions: superseded ones are history (Helm keeps ten by default), and a release
  // Secret can be close to 1 MiB, hence the small pages too. A release that never deployed is skipped.
  const fieldSelector = `type=${helmReleaseSecretType}`;
  const labelSelector = 'owner=helm,status=deployed';
  const secrets: V1Secret[] = [];
  const unreadable: string[] = [];
  for (const namespace of namespaces ?? [undefined]) {
    let token: string | undefined;
    try {
      do {
        const request = { fieldSelector, labelSelector, limit: 50, ...(token ? { _continue: token } : {}) };
        const page = namespace
          ? await core.listNamespacedSecret({ namespace, ...request })
          : await core.listSecretForAllNamespaces(request);
        secrets.push(...page.items);
        token = page.metadata?._continue || undefined;
      } while (token);
    } catch (error) {
      unreadable.push(`Helm release secrets${namespace ? ` in ${namespace}` : ''}: ${describeError(error)}`);
    }
  }
  const sightings: Sighting[] = [];
  let releases = 0;
  for (const secret of currentRevisions(secrets)) {
    const where = `${secret.metadata?.namespace}/${secret.metadata?.name}`;
    const value = secret.data?.release;
    if (!value) {
      unreadable.push(`Helm release secret ${where}: no data.release`);
      continue;
    }
    try {
      const found = releaseSightings(decodeRelease(value));
      sightings.push(...found.sightings);
      unreadable.push(...found.problems);
      releases += 1;
    } catch (error) {
      unreadable.push(`Helm release secret ${where}: cannot decode (${describeError(error)})`);
    }
  }
  return { sightings, releases, unreadable };
}

function describeError(error: unknown): string {
  if (error instanceof ApiException) return `HTTP ${error.code}`;
  return error instanceof Error ? error.message : String(error);
}
