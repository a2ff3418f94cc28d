import { InvalidInputError } from '../../../domain/errors.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import type { WorkloadKind } from './objects.js';

/** A workload that something else (a GitOps controller, a pipeline) deploys to green. */
export interface WorkloadRef {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Where green's services come from.
 * - copy: Switchyard copies the namespaces' objects from blue (ConfigMaps, Secrets, ServiceAccounts,
 *   Services, Deployments, StatefulSets, Ingresses, HPAs, PDBs), by name or by a namespace label selector.
 * - manifests: Switchyard applies the *.yaml / *.yml / *.json files under a directory (recursively).
 * - external: something else deploys; Switchyard only waits until the listed workloads are available.
 */
export type ServicesSource =
  | {
      readonly kind: 'copy';
      readonly namespaces: readonly string[] | { readonly selector: string };
    }
  | { readonly kind: 'manifests'; readonly directory: string }
  | { readonly kind: 'external'; readonly workloads: readonly WorkloadRef[] };

/** An HTTP check of a service on the cluster being qualified, made from where Switchyard runs. */
export interface SmokeProbe {
  readonly name: string;
  /**
   * http(s) URL that reaches the cluster being qualified (e.g. green's own load balancer). `{slot}` and
   * `{cluster}` are filled in with green's slot and cluster name, so one probe follows the slots.
   */
  readonly url: string;
  /** Default 200. */
  readonly expectStatus?: number | undefined;
  /** A regular expression (JavaScript syntax) the response body must match. */
  readonly bodyMatch?: string | undefined;
  /** Sent as the Host header (and as TLS SNI for https), e.g. to reach a host-routed ingress by IP or LB name. */
  readonly hostHeader?: string | undefined;
  /** Further attempts after a failed first one; default 3 (so up to 4 requests). */
  readonly retries?: number | undefined;
  /** Per-attempt time limit in milliseconds, default 5000. */
  readonly timeoutMs?: number | undefined;
}

export interface ServicesSpec {
  readonly source: ServicesSource;
  /**
   * Copy/apply PersistentVolumeClaims and workloads that use them anyway (default false). Green then
   * starts with new, empty volumes: blue-green moves traffic, not data.
   */
  readonly allowStateful?: boolean | undefined;
  readonly smoke?: readonly SmokeProbe[] | undefined;
}

/** A probe with its defaults filled in and its pattern compiled. */
export interface ResolvedProbe {
  readonly name: string;
  readonly url: URL;
  /** The url and hostHeader as written, when they hold {slot} or {cluster}: filled in per cluster. */
  readonly template?: { readonly url: string; readonly hostHeader?: string | undefined };
  readonly expectStatus: number;
  readonly bodyMatch: RegExp | undefined;
  readonly hostHeader: string | undefined;
  readonly retries: number;
  readonly timeoutMs: number;
}

export const probeDefaults = { expectStatus: 200, retries: 3, timeoutMs: 5000 } as const;

/** Checks what the type system cannot (URLs, patterns, ranges); throws InvalidInputError naming the field. */
export function resolveProbes(spec: ServicesSpec): ResolvedProbe[] {
  checkSource(spec.source);
  const seen = new Set<string>();
  return (spec.smoke ?? []).map((probe, index) => {
    const field = `smoke[${index}]`;
    if (!probe.name) throw new InvalidInputError(`${field}.name`, 'must not be empty');
    if (seen.has(probe.name)) throw new InvalidInputError(`${field}.name`, `"${probe.name}" is used twice`);
    seen.add(probe.name);
    let url: URL;
    try {
      url = new URL(fillCluster(probe.url, { name: 'cluster', slot: 'a' }));
    } catch {
      throw new InvalidInputError(`${field}.url`, `"${probe.url}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidInputError(`${field}.url`, `must be http or https, not ${url.protocol}`);
    }
    let bodyMatch: RegExp | undefined;
    if (probe.bodyMatch !== undefined) {
      try {
        bodyMatch = new RegExp(probe.bodyMatch);
      } catch (error) {
        throw new InvalidInputError(
          `${field}.bodyMatch`,
          `not a valid regular expression: ${(error as Error).message}`,
        );
      }
    }
    const expectStatus = probe.expectStatus ?? probeDefaults.expectStatus;
    if (!Number.isInteger(expectStatus) || expectStatus < 100 || expectStatus > 599) {
      throw new InvalidInputError(
        `${field}.expectStatus`,
        `must be an HTTP status (100-599), not ${expectStatus}`,
      );
    }
    const retries = probe.retries ?? probeDefaults.retries;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new InvalidInputError(`${field}.retries`, 'must be a whole number ≥ 0');
    }
    const timeoutMs = probe.timeoutMs ?? probeDefaults.timeoutMs;
    if (!(timeoutMs > 0)) throw new InvalidInputError(`${field}.timeoutMs`, 'must be > 0');
    const templated = [probe.url, probe.hostHeader ?? ''].some((text) => /\{(slot|cluster)\}/.test(text));
    return {
      name: probe.name,
      url,
      ...(templated ? { template: { url: probe.url, hostHeader: probe.hostHeader } } : {}),
      expectStatus,
      bodyMatch,
      hostHeader: probe.hostHeader,
      retries,
      timeoutMs,
    };
  });
}

function checkSource(source: ServicesSource): void {
  switch (source.kind) {
    case 'copy':
      if (Array.isArray(source.namespaces)) {
        if (source.namespaces.length === 0) {
          throw new InvalidInputError('source.namespaces', 'name at least one namespace, or give a selector');
        }
      } else if (!(source.namespaces as { selector: string }).selector) {
        throw new InvalidInputError('source.namespaces.selector', 'must not be empty');
      }
      return;
    case 'manifests':
      if (!source.directory) throw new InvalidInputError('source.directory', 'must not be empty');
      return;
    case 'external':
      return;
  }
}

/** `{slot}` and `{cluster}` replaced with the cluster's slot and name. */
function fillCluster(text: string, cluster: ClusterRef): string {
  return text.replaceAll('{slot}', cluster.slot ?? '').replaceAll('{cluster}', cluster.name);
}

/** The probe aimed at this cluster: its placeholders filled in. */
export function probeFor(probe: ResolvedProbe, cluster: ClusterRef): ResolvedProbe {
  if (probe.template === undefined) return probe;
  const { hostHeader } = probe.template;
  return {
    ...probe,
    url: new URL(fillCluster(probe.template.url, cluster)),
    hostHeader: hostHeader === undefined ? undefined : fillCluster(hostHeader, cluster),
  };
}
