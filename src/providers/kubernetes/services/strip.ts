import { isRecord, type KubeObject, recordAt, recordsAt, stringAt } from './objects.js';

/**
 * What makes an object blue's rather than the application's. Each is removed before the object is
 * applied to green, because green must assign its own value or because the value would be wrong there:
 *
 * metadata
 * - uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields: the server's own
 *   bookkeeping for the object on blue.
 * - ownerReferences: they name owners by blue's uids. On green no object has those uids, and the garbage
 *   collector deletes a dependent whose owners are all gone, so the copy would be deleted soon after the
 *   apply. The owners themselves (custom resources, mostly) are not copied: the copy stands on its own.
 * - finalizers: added by blue's controllers (PVC protection, load balancer clean-up). Green's
 *   controllers add their own; a copied one with no controller to remove it blocks deletion forever.
 * - deletionTimestamp, deletionGracePeriodSeconds, generateName: objects being deleted are not copied;
 *   the name is always set, so generateName means nothing.
 * - annotations set by tools or controllers about blue's object: kubectl's last-applied-configuration
 *   (it would make a later `kubectl apply` on green compute wrong diffs), the Deployment revision, and
 *   a PVC's binding and provisioning annotations.
 * status: green's controllers write their own.
 * Service: spec.clusterIP/clusterIPs (allocated from green's service range; "None" for a headless
 *   Service is kept, it is the application's choice), spec.ipFamilies (follows green's network under the
 *   kept ipFamilyPolicy), spec.healthCheckNodePort and every spec.ports[].nodePort (node ports are
 *   allocated per cluster; blue's may be taken on green, and green's nodes are new, so anything pointed
 *   at a node port has to be re-pointed anyway).
 * Pod templates: metadata.creationTimestamp (null in every template) and spec.nodeName (blue's node).
 * StatefulSet: each volumeClaimTemplate's status and creationTimestamp.
 * PersistentVolumeClaim: spec.volumeName (blue's PersistentVolume; green provisions a new, empty one).
 * ServiceAccount: references to service-account token Secrets, which are not copied (green's token
 *   controller makes its own).
 */
const metadataFields = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'selfLink',
  'managedFields',
  'ownerReferences',
  'finalizers',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generateName',
] as const;

const clusterAnnotations = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/selected-node',
] as const;

export const serviceAccountTokenType = 'kubernetes.io/service-account-token';
export const helmReleaseType = 'helm.sh/release.v1';

/**
 * Why an object listed on blue is not copied at all, or undefined when it is. Not copied: objects being
 * deleted; service-account token Secrets (green's token controller makes its own, bound to green's
 * ServiceAccount uids); Helm release Secrets (Helm's record of releases on blue: a copy would tell Helm
 * on green that it installed objects it never did); the "default" ServiceAccount and the
 * "kube-root-ca.crt" ConfigMap (every namespace gets its own, and the CA is green's); the "kubernetes"
 * Service in "default" (the API server's own); PersistentVolumeClaims of generic ephemeral volumes (owned
 * by a Pod, made and deleted with it).
 */
export function skipReason(object: KubeObject): string | undefined {
  const { name, namespace } = object.metadata;
  if (object.metadata.deletionTimestamp) return 'being deleted';
  switch (object.kind) {
    case 'Secret': {
      const type = stringAt(object, 'type');
      if (type === serviceAccountTokenType) return 'service-account token';
      if (type === helmReleaseType) return 'Helm release record';
      return undefined;
    }
    case 'ServiceAccount':
      return name === 'default' ? 'made by each cluster' : undefined;
    case 'ConfigMap':
      return name === 'kube-root-ca.crt' ? "holds the cluster's own CA" : undefined;
    case 'Service':
      return namespace === 'default' && name === 'kubernetes' ? "the API server's own" : undefined;
    case 'PersistentVolumeClaim': {
      const owners = Array.isArray(object.metadata.ownerReferences) ? object.metadata.ownerReferences : [];
      return owners.some((owner: unknown) => stringAt(owner, 'kind') === 'Pod')
        ? "a pod's ephemeral volume"
        : undefined;
    }
    default:
      return undefined;
  }
}

export interface CleanContext {
  /** Names of the namespace's Secrets that are not copied (ServiceAccounts must not refer to them). */
  readonly droppedSecrets?: ReadonlySet<string>;
}

/** A copy of `object` with everything cluster-specific removed (see above); the input is not changed. */
export function cleanForCopy(object: KubeObject, context: CleanContext = {}): KubeObject {
  const copy = structuredClone(object);
  const metadata = copy.metadata;
  for (const field of metadataFields) delete metadata[field];
  if (metadata.annotations) {
    for (const key of clusterAnnotations) delete metadata.annotations[key];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  delete copy.status;

  const spec = recordAt(copy, 'spec');
  switch (copy.kind) {
    case 'Service':
      if (spec) cleanServiceSpec(spec);
      break;
    case 'PersistentVolumeClaim':
      if (spec) delete spec.volumeName;
      break;
    case 'ServiceAccount':
      cleanServiceAccount(copy, context.droppedSecrets ?? new Set());
      break;
    case 'StatefulSet':
      for (const template of recordsAt(spec, 'volumeClaimTemplates')) {
        delete template.status;
        const templateMetadata = recordAt(template, 'metadata');
        if (templateMetadata) delete templateMetadata.creationTimestamp;
      }
      break;
  }
  const template = recordAt(spec, 'template');
  if (template) {
    const templateMetadata = recordAt(template, 'metadata');
    if (templateMetadata) delete templateMetadata.creationTimestamp;
    const podSpec = recordAt(template, 'spec');
    if (podSpec) delete podSpec.nodeName;
  }
  return copy;
}

function cleanServiceSpec(spec: Record<string, unknown>): void {
  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  delete spec.ipFamilies;
  delete spec.healthCheckNodePort;
  for (const port of recordsAt(spec, 'ports')) delete port.nodePort;
}

function cleanServiceAccount(account: KubeObject, droppedSecrets: ReadonlySet<string>): void {
  if (!Array.isArray(account.secrets)) return;
  const kept = account.secrets.filter(
    (ref: unknown) => !(isRecord(ref) && typeof ref.name === 'string' && droppedSecrets.has(ref.name)),
  );
  if (kept.length > 0) account.secrets = kept;
  else delete account.secrets;
}

/** Green's namespace: blue's name, labels and annotations (without last-applied), nothing else. */
export function namespaceForCopy(namespace: KubeObject): KubeObject {
  const { name, labels, annotations } = namespace.metadata;
  const metadata: KubeObject['metadata'] = { name };
  if (labels && Object.keys(labels).length > 0) metadata.labels = { ...labels };
  const kept = Object.entries(annotations ?? {}).filter(
    ([key]) => !clusterAnnotations.some((k) => k === key),
  );
  if (kept.length > 0) metadata.annotations = Object.fromEntries(kept);
  return { apiVersion: 'v1', kind: 'Namespace', metadata };
}
