import type { Logger } from 'pino';
import { ProviderError } from '../../../domain/errors.js';
import type { CheckResult, ClusterHealth, Observation, Qualification } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { errorMessage, isRetryable } from '../../../domain/retryable.js';
import { checkServedOnGreen, servedApisCheckName } from '../deprecations/served-diff.js';
import { checkComponent } from './component.js';
import { probeDns } from './dns.js';
import { type ClusterAccess, connect, credentialsOf, defaultRequestTimeoutMs } from './kube-client.js';
import { checkNodes } from './nodes.js';
import { judgePodErrors } from './pod-errors.js';
import { listPods } from './pods.js';
import type { RemovedApiScanner, RemovedApiScanRequest, RemovedApiScanResult } from './removed-apis.js';
import { cachedScanner } from './scan-cache.js';
import { type FoundationSpec, resolvePodActivity } from './spec.js';
import { checkServing, checkTrafficReadiness } from './traffic.js';
import { judgeUnscheduledPods } from './unscheduled-pods.js';
import { overallVerdict } from './verdict.js';

export type { ClusterAccess } from './kube-client.js';
export type { RemovedApiScanner, RemovedApiScanRequest, RemovedApiScanResult } from './removed-apis.js';
export * from './spec.js';

export interface ClusterHealthOptions {
  /** Credentials for a cluster (e.g. loadKubeConfig with the platform's kubeconfig and context). */
  readonly access: ClusterAccess;
  readonly foundation: FoundationSpec;
  /** Namespaces whose Deployments must all be available before a cluster takes (more) traffic. */
  readonly services?: { readonly namespaces: readonly string[] };
  /** Finds APIs blue's objects use that the target version removed; no scan when absent. */
  readonly scanRemovedApis?: RemovedApiScanner;
  readonly now?: () => Date;
  readonly log?: Logger;
  /** Deadline for each Kubernetes API request; default 30 s. A timeout is a retryable ProviderError. */
  readonly requestTimeoutMs?: number;
}

/**
 * Judges a cluster from its Kubernetes API: foundation components, DNS, nodes, unschedulable pods and
 * pod error activity, plus the injected removed-API scan. Failures to reach the cluster are thrown as
 * ProviderError (retryable when trying later can help), never turned into a verdict.
 */
export function createClusterHealth(options: ClusterHealthOptions): ClusterHealth {
  const timeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const now = options.now ?? (() => new Date());
  const spec = options.foundation;
  const podActivity = resolvePodActivity(spec.pods);
  // Blue is known by the API server it is reached at: a cluster created again under the same name
  // (a reused slot) has a new endpoint, and so is scanned afresh.
  const scanRemovedApis =
    options.scanRemovedApis &&
    cachedScanner(
      options.scanRemovedApis,
      async (blue) => `${blue.name} ${(await options.access(blue)).getCurrentCluster()?.server ?? ''}`,
      now,
    );

  return {
    async qualifyFoundation(request): Promise<Qualification> {
      const clients = await connect(request.green, options.access, timeoutMs);
      const at = now();
      const [components, dnsChecks, nodes, pods, scan, served] = await Promise.all([
        Promise.all(spec.components.map((component) => checkComponent(clients, component))),
        Promise.all(
          spec.components.flatMap((component) =>
            component.dnsProbe ? [probeDns(component, component.dnsProbe)] : [],
          ),
        ),
        checkNodes(clients, spec.nodes),
        listPods(clients, podActivity.namespaces),
        runScan(scanRemovedApis, request),
        servedOnGreen(request, options.access),
      ]);
      const checks: CheckResult[] = [
        ...components,
        ...dnsChecks,
        nodes,
        judgeUnscheduledPods(pods, podActivity, at),
        judgePodErrors(pods, podActivity, at),
        ...scan.checks,
        served,
      ];
      const verdict = overallVerdict(checks);
      const warnings = scan.warnings ?? [];
      options.log?.info(
        {
          cluster: request.green.name,
          verdict,
          notPassing: checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.name}: ${c.evidence}`),
        },
        `foundation of ${request.green.name}: ${verdict}`,
      );
      return { verdict, checks, ...(warnings.length > 0 ? { warnings } : {}) };
    },

    async removedApis(request): Promise<Qualification> {
      const scan = await runScan(scanRemovedApis, request);
      const warnings = scan.warnings ?? [];
      return {
        verdict: overallVerdict(scan.checks),
        checks: scan.checks,
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    },

    prepareQualification(request) {
      // The scan's answer (or its failure) is kept by cachedScanner for qualifyFoundation to use.
      runScan(scanRemovedApis, request).catch(() => undefined);
    },

    async readyForTraffic(cluster: ClusterRef): Promise<Observation> {
      const clients = await connect(cluster, options.access, timeoutMs);
      const observation = await checkTrafficReadiness(clients, options.services?.namespaces ?? []);
      options.log?.debug({ cluster: cluster.name, ...observation }, 'ready for traffic?');
      return observation;
    },

    async servingHealth(cluster: ClusterRef): Promise<Observation> {
      const clients = await connect(cluster, options.access, timeoutMs);
      const namespaces = options.services?.namespaces ?? [];
      const observation = await checkServing(clients, namespaces, (pods) =>
        judgePodErrors(pods, { ...podActivity, namespaces }, now()),
      );
      options.log?.debug({ cluster: cluster.name, ...observation }, 'still serving well?');
      return observation;
    },
  };
}

/** Blue's objects written at API versions green does not serve (served-diff.ts); unreachable: not yet. */
async function servedOnGreen(
  request: { readonly blue: ClusterRef; readonly green: ClusterRef },
  access: ClusterAccess,
): Promise<CheckResult> {
  try {
    const [blue, green] = await Promise.all([
      credentialsOf(request.blue, access),
      credentialsOf(request.green, access),
    ]);
    return await checkServedOnGreen(blue, green);
  } catch (error) {
    const evidence = `cannot compare the API versions blue and green serve: ${errorMessage(error)}`;
    return { name: servedApisCheckName, verdict: 'inconclusive', evidence };
  }
}

async function runScan(
  scan: RemovedApiScanner | undefined,
  request: RemovedApiScanRequest,
): Promise<RemovedApiScanResult> {
  if (scan === undefined) return { checks: [] };
  try {
    return await scan({ blue: request.blue, targetVersion: request.targetVersion });
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw new ProviderError(
      `removed-API scan of ${request.blue.name} for Kubernetes ${request.targetVersion}: ${errorMessage(error)}`,
      isRetryable(error),
      { cause: error },
    );
  }
}
