import type { CheckResult, Qualification } from '../../../domain/ports.js';
import type { ClusterRef } from '../../../domain/promotion.js';
import { worstVerdict } from '../../../domain/verdict.js';
import type { KubeClient } from './client.js';
import { resolveNamespaces } from './copy.js';
import { manifestWorkloads } from './deploy-manifests.js';
import { judgeRollout } from './rollout.js';
import { rolloutChanges, type SeenWorkload } from './rollout-feed.js';
import { type ProbeDependencies, runProbe } from './smoke.js';
import type { ResolvedProbe, ServicesSpec } from './spec.js';
import { listWorkloads, readWorkloads } from './workloads.js';

/**
 * Judges the services on `cluster`: the rollout of every workload in scope (copy: every Deployment,
 * StatefulSet and DaemonSet in the namespaces; manifests: those the manifests define; external: the
 * listed ones), then the smoke probes. Probes run only once every rollout has passed: before that a
 * failing probe says nothing but "not ready yet", and a failed probe ends the promotion.
 *
 * Overall: any fail → fail; else any inconclusive → inconclusive; else pass.
 */
export async function qualifyServices(
  client: KubeClient,
  cluster: ClusterRef,
  spec: ServicesSpec,
  probes: readonly ResolvedProbe[],
  deps: ProbeDependencies,
): Promise<Qualification> {
  const { checks: rollouts, warnings, seen } = await rolloutChecks(client, cluster, spec);
  const waiting = rollouts.filter((c) => c.verdict !== 'pass').length;
  const smoke: CheckResult[] =
    waiting === 0
      ? await Promise.all(probes.map((probe) => runProbe(probe, deps)))
      : probes.map((probe) => ({
          name: `smoke ${probe.name}`,
          verdict: 'inconclusive',
          evidence: `not run: ${waiting} workload rollout(s) have not passed`,
        }));
  const checks = [...rollouts, ...smoke];
  if (checks.length === 0) warnings.push('nothing to judge: no workloads in scope and no smoke probes');
  const verdict = worstVerdict(checks);
  const wakeOn = verdict === 'inconclusive' ? rolloutChanges(client, seen) : undefined;
  return { verdict, checks, ...(warnings.length > 0 ? { warnings } : {}), ...(wakeOn && { wakeOn }) };
}

async function rolloutChecks(
  client: KubeClient,
  cluster: ClusterRef,
  spec: ServicesSpec,
): Promise<{ checks: CheckResult[]; warnings: string[]; seen: SeenWorkload[] }> {
  const source = spec.source;
  switch (source.kind) {
    case 'copy': {
      const scope = await resolveNamespaces(client, cluster, source);
      const missing = scope.missing.map<CheckResult>((name) => ({
        name: `namespace ${name}`,
        verdict: 'inconclusive',
        evidence: `not found on cluster ${cluster.name}`,
      }));
      const names = scope.found.map((ns) => ns.metadata.name);
      const workloads = await listWorkloads(client, cluster, names);
      const warnings =
        workloads.length === 0 ? [`no Deployments, StatefulSets or DaemonSets in ${scope.description}`] : [];
      const judged = workloads.map((object) => ({ object, check: judgeRollout(object) }));
      return {
        checks: [...missing, ...judged.map((j) => j.check)],
        warnings,
        seen: judged.map(({ object, check }) => seenAs(object.kind, object.metadata, check)),
      };
    }
    case 'manifests':
    case 'external': {
      const refs = source.kind === 'manifests' ? await manifestWorkloads(source.directory) : source.workloads;
      const warnings =
        source.kind === 'manifests' && refs.length === 0
          ? [`the manifests in ${source.directory} define no workloads`]
          : [];
      const read = await readWorkloads(client, cluster, refs);
      return {
        checks: read.map((r) => r.check),
        warnings,
        seen: read.map(({ ref, object, check }) =>
          seenAs(ref.kind, { namespace: ref.namespace, name: ref.name, ...object?.metadata }, check),
        ),
      };
    }
  }
}

/** What the change feed needs to know of a judged workload. */
function seenAs(
  kind: string,
  metadata: {
    readonly namespace?: string | undefined;
    readonly name: string;
    readonly [field: string]: unknown;
  },
  check: CheckResult,
): SeenWorkload {
  const version = metadata.resourceVersion;
  return {
    kind,
    namespace: metadata.namespace ?? '',
    name: metadata.name,
    resourceVersion: typeof version === 'string' ? version : undefined,
    pending: check.verdict !== 'pass',
  };
}
