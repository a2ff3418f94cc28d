/**
 * Built-in Kubernetes API versions that stop being served, from the upstream "Deprecated API Migration
 * Guide" (kubernetes.io/docs/reference/using-api/deprecation-guide). Restated in our own words; the guide
 * is the authority when the two disagree.
 *
 * - `removedIn`: the first minor release that no longer serves the version (from the guide).
 * - `deprecatedIn`: the release whose API server first answers with a deprecation warning (the guide
 *   rarely states it; taken from the server's own "X is deprecated in v1.N+" warnings). Left out where
 *   we could not confirm it.
 * - `replacement.apiVersion`: the version the guide tells manifests and clients to move to; `null` when
 *   the API has no successor (PodSecurityPolicy).
 *
 * 1.33 to 1.36: the guide's newest section is v1.32 (FlowSchema/PriorityLevelConfiguration v1beta3);
 * it lists no built-in API version removed in 1.33, 1.34, 1.35 or 1.36. What those releases did instead
 * is deprecate while still serving, which `deprecatedApis` below covers so that it warns.
 */

export const removalVersions = ['1.16', '1.22', '1.25', '1.26', '1.27', '1.29', '1.32'] as const;
export type RemovalVersion = (typeof removalVersions)[number];

export interface Replacement {
  /** Where manifests and clients should move; null when nothing replaces the API. */
  readonly apiVersion: string | null;
  /** Set when the replacement is a different kind (Endpoints -> EndpointSlice). */
  readonly kind?: string;
  readonly notes: string;
}

export interface ApiRemoval {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly deprecatedIn?: string;
  readonly removedIn: RemovalVersion;
  readonly replacement: Replacement;
}

/** Deprecated (the server warns on use) but still served, with no removal release announced. */
export interface ApiDeprecation {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly deprecatedIn: string;
  readonly replacement: Replacement;
}

/** group/version as it appears in a manifest's apiVersion ('v1' for the core group). */
export function apiVersionOf(entry: { readonly group: string; readonly version: string }): string {
  return entry.group === '' ? entry.version : `${entry.group}/${entry.version}`;
}

/**
 * The guide's removals, one row per section: removed in | deprecated in ("-": unconfirmed) | old
 * apiVersions | kinds | replacement apiVersion ("-": none) | what changes on the way.
 */
const removalRows = `
1.16 | -    | extensions/v1beta1                           | NetworkPolicy     | networking.k8s.io/v1 | served since 1.8
1.16 | -    | extensions/v1beta1 apps/v1beta2              | DaemonSet         | apps/v1 | served since 1.9; spec.selector is required and immutable; templateGeneration is gone; updateStrategy defaults to RollingUpdate
1.16 | -    | extensions/v1beta1 apps/v1beta1 apps/v1beta2 | Deployment        | apps/v1 | served since 1.9; spec.selector is required and immutable; rollbackTo is gone; progressDeadlineSeconds defaults to 600, revisionHistoryLimit to 10, maxSurge/maxUnavailable to 25%
1.16 | -    | apps/v1beta1 apps/v1beta2                    | StatefulSet       | apps/v1 | served since 1.9; spec.selector is required and immutable; updateStrategy defaults to RollingUpdate
1.16 | -    | extensions/v1beta1 apps/v1beta1 apps/v1beta2 | ReplicaSet        | apps/v1 | served since 1.9; spec.selector is required and immutable
1.16 | -    | extensions/v1beta1                           | PodSecurityPolicy | policy/v1beta1 | policy/v1beta1 is itself gone in 1.25 (see there)
1.22 | 1.16 | admissionregistration.k8s.io/v1beta1 | MutatingWebhookConfiguration ValidatingWebhookConfiguration | admissionregistration.k8s.io/v1 | served since 1.16; failurePolicy defaults to Fail, matchPolicy to Equivalent, timeoutSeconds to 10s; sideEffects and admissionReviewVersions must be set; webhook names must be unique
1.22 | 1.16 | apiextensions.k8s.io/v1beta1         | CustomResourceDefinition | apiextensions.k8s.io/v1 | served since 1.16; scope must be explicit; per-version structural schema, subresources and printer columns replace the top-level fields; conversion webhook settings move under spec.conversion.webhook
1.22 | 1.19 | apiregistration.k8s.io/v1beta1       | APIService    | apiregistration.k8s.io/v1 | served since 1.10; no notable changes
1.22 | -    | authentication.k8s.io/v1beta1        | TokenReview   | authentication.k8s.io/v1 | served since 1.6; concerns API clients, nothing is stored
1.22 | -    | authorization.k8s.io/v1beta1         | LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview SelfSubjectRulesReview | authorization.k8s.io/v1 | served since 1.6; spec.group is renamed spec.groups; concerns API clients, nothing is stored
1.22 | 1.19 | certificates.k8s.io/v1beta1          | CertificateSigningRequest | certificates.k8s.io/v1 | served since 1.19; signerName and usages are required (no legacy-unknown signer); stricter status.conditions and status.certificate
1.22 | -    | coordination.k8s.io/v1beta1          | Lease         | coordination.k8s.io/v1 | served since 1.14; no notable changes
1.22 | 1.14 | extensions/v1beta1                   | Ingress       | networking.k8s.io/v1 | served since 1.19; spec.backend becomes spec.defaultBackend; serviceName/servicePort become service.name and service.port.number or .name; every path needs a pathType
1.22 | 1.19 | networking.k8s.io/v1beta1            | Ingress       | networking.k8s.io/v1 | served since 1.19; spec.backend becomes spec.defaultBackend; serviceName/servicePort become service.name and service.port.number or .name; every path needs a pathType
1.22 | 1.19 | networking.k8s.io/v1beta1            | IngressClass  | networking.k8s.io/v1 | served since 1.19; no notable changes
1.22 | 1.17 | rbac.authorization.k8s.io/v1beta1    | ClusterRole ClusterRoleBinding Role RoleBinding | rbac.authorization.k8s.io/v1 | served since 1.8; no notable changes
1.22 | 1.14 | scheduling.k8s.io/v1beta1            | PriorityClass | scheduling.k8s.io/v1 | served since 1.14; no notable changes
1.22 | 1.19 | storage.k8s.io/v1beta1               | CSIDriver     | storage.k8s.io/v1 | served since 1.19; no notable changes
1.22 | -    | storage.k8s.io/v1beta1               | CSINode       | storage.k8s.io/v1 | served since 1.17; no notable changes
1.22 | -    | storage.k8s.io/v1beta1               | StorageClass  | storage.k8s.io/v1 | served since 1.6; no notable changes
1.22 | -    | storage.k8s.io/v1beta1               | VolumeAttachment | storage.k8s.io/v1 | served since 1.13; no notable changes
1.25 | 1.21 | batch/v1beta1                        | CronJob       | batch/v1 | served since 1.21; no notable changes
1.25 | 1.21 | discovery.k8s.io/v1beta1             | EndpointSlice | discovery.k8s.io/v1 | served since 1.21; per-endpoint nodeName and zone replace the topology map, which becomes the read-only deprecatedTopology
1.25 | 1.22 | events.k8s.io/v1beta1                | Event         | events.k8s.io/v1 | served since 1.19; type is Normal or Warning only; involvedObject becomes regarding; new events need action, reason, reportingController and reportingInstance; the old timestamp/count/source fields become deprecated* and are refused on create
1.25 | 1.22 | autoscaling/v2beta1                  | HorizontalPodAutoscaler | autoscaling/v2 | served since 1.23; targetAverageUtilization becomes target.averageUtilization with target.type Utilization
1.25 | 1.21 | policy/v1beta1                       | PodDisruptionBudget | policy/v1 | served since 1.21; an empty selector ({}) now selects every pod in the namespace instead of none
1.25 | 1.21 | policy/v1beta1                       | PodSecurityPolicy | - | no successor API: move to Pod Security Admission or a third-party admission webhook; the PSP admission controller goes too
1.25 | 1.22 | node.k8s.io/v1beta1                  | RuntimeClass  | node.k8s.io/v1 | served since 1.20; no notable changes
1.26 | 1.23 | flowcontrol.apiserver.k8s.io/v1beta1 | FlowSchema PriorityLevelConfiguration | flowcontrol.apiserver.k8s.io/v1beta2 | v1beta2 is itself gone in 1.29: for targets 1.29 and later go straight to flowcontrol.apiserver.k8s.io/v1
1.26 | 1.23 | autoscaling/v2beta2                  | HorizontalPodAutoscaler | autoscaling/v2 | served since 1.23; targetAverageUtilization becomes target.averageUtilization with target.type Utilization
1.27 | 1.24 | storage.k8s.io/v1beta1               | CSIStorageCapacity | storage.k8s.io/v1 | served since 1.24; no notable changes
1.29 | 1.26 | flowcontrol.apiserver.k8s.io/v1beta2 | FlowSchema PriorityLevelConfiguration | flowcontrol.apiserver.k8s.io/v1 | v1 served since 1.29 (v1beta3 since 1.26, itself gone in 1.32); assuredConcurrencyShares is renamed nominalConcurrencyShares, and in v1 an explicit 0 stays 0
1.32 | 1.29 | flowcontrol.apiserver.k8s.io/v1beta3 | FlowSchema PriorityLevelConfiguration | flowcontrol.apiserver.k8s.io/v1 | served since 1.29; nominalConcurrencyShares defaults to 30 only when unset, an explicit 0 stays 0
`;

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const isRemovalVersion = (value: string | undefined): value is RemovalVersion =>
  removalVersions.some((v) => v === value);

function parseRow(line: string): ApiRemoval[] {
  const [removedIn, deprecatedIn, apiVersions, kinds, to, notes] = line.split('|').map((cell) => cell.trim());
  if (!isRemovalVersion(removedIn) || !deprecatedIn || !apiVersions || !kinds || !to || !notes) {
    throw new Error(`malformed removal row: ${line}`);
  }
  return apiVersions.split(/\s+/).flatMap((apiVersion) =>
    kinds.split(/\s+/).map(
      (kind): ApiRemoval => ({
        ...splitApiVersion(apiVersion),
        kind,
        ...(deprecatedIn === '-' ? {} : { deprecatedIn }),
        removedIn,
        replacement: { apiVersion: to === '-' ? null : to, notes },
      }),
    ),
  );
}

/** Every removal up to and including 1.36, one entry per (apiVersion, kind), ordered by removal release. */
export const apiRemovals: readonly ApiRemoval[] = removalRows
  .split('\n')
  .filter((line) => line.trim() !== '')
  .flatMap(parseRow);

/**
 * Deprecated but still served up to 1.36 (not in the migration guide, which lists removals only).
 * - core v1 Endpoints: deprecated in 1.33 in favour of EndpointSlice (kubernetes.io blog, 2025-04-24,
 *   KEP-4974); the type is expected to stay served, so it only ever warns.
 * v1 ComponentStatus (deprecated in 1.19) is left out on purpose: the server computes it, nobody
 * authors it in a manifest. The 1.36 deprecation of Service spec.externalIPs is a field, not an API
 * version, and is out of this table's reach.
 */
export const deprecatedApis: readonly ApiDeprecation[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    deprecatedIn: '1.33',
    replacement: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      notes: 'read EndpointSlices (a Service may have several) instead of its single Endpoints object',
    },
  },
];
