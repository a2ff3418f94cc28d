import { gunzipSync } from 'node:zlib';
import type { V1Secret } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Sighting } from './classify.js';

/** The Secret type Helm 3 stores each release revision in (the default "secret" storage driver). */
export const helmReleaseSecretType = 'helm.sh/release.v1';

export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly version: number;
  /** The rendered chart: multi-document YAML. */
  readonly manifest: string;
  /** Hook manifests (pre-install Jobs and the like) are stored apart from the main manifest. */
  readonly hooks: readonly string[];
}

/**
 * Cluster-scoped kinds among those the tables name. Helm puts a namespaced object that names no
 * namespace into the release's, so we do the same when reporting it; everything else in the tables
 * is namespaced, and kinds outside them never make a finding.
 */
const clusterScoped = new Set(
  `PodSecurityPolicy MutatingWebhookConfiguration ValidatingWebhookConfiguration CustomResourceDefinition
  APIService TokenReview SelfSubjectAccessReview SubjectAccessReview SelfSubjectRulesReview IngressClass
  CertificateSigningRequest ClusterRole ClusterRoleBinding PriorityClass CSIDriver CSINode StorageClass
  VolumeAttachment RuntimeClass FlowSchema PriorityLevelConfiguration`.split(/\s+/),
);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decodes `data.release` of a release Secret as the API returns it. Helm stores base64(gzip(JSON)) as
 * the Secret value, and the API base64-encodes Secret values once more, hence two decodes. Helm only
 * gzips when it helps, so a payload without the gzip magic is read as plain JSON.
 */
export function decodeRelease(secretValue: string): HelmRelease {
  const helmPayload = Buffer.from(secretValue, 'base64').toString('utf8');
  let raw = Buffer.from(helmPayload, 'base64');
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  const release: unknown = JSON.parse(raw.toString('utf8'));
  if (!isRecord(release) || typeof release.name !== 'string') throw new Error('not a Helm release');
  const hooks = Array.isArray(release.hooks) ? release.hooks : [];
  return {
    name: release.name,
    namespace: typeof release.namespace === 'string' ? release.namespace : '',
    version: typeof release.version === 'number' ? release.version : 0,
    manifest: typeof release.manifest === 'string' ? release.manifest : '',
    hooks: hooks.flatMap((hook) =>
      isRecord(hook) && typeof hook.manifest === 'string' ? [hook.manifest] : [],
    ),
  };
}

/**
 * The revision of each release that matters: the newest deployed one (what `helm upgrade` diffs
 * against, and what breaks it when it names an API the cluster no longer serves), else the newest.
 * Superseded revisions are history and left alone.
 */
export function currentRevisions(secrets: readonly V1Secret[]): V1Secret[] {
  const chosen = new Map<string, V1Secret>();
  const rank = (s: V1Secret) =>
    (s.metadata?.labels?.status === 'deployed' ? 1e9 : 0) + Number(s.metadata?.labels?.version ?? 0);
  for (const secret of secrets) {
    const labels = secret.metadata?.labels;
    const id = `${secret.metadata?.namespace}/${labels?.name ?? secret.metadata?.name}`;
    const current = chosen.get(id);
    if (!current || rank(secret) > rank(current)) chosen.set(id, secret);
  }
  return [...chosen.values()];
}

/** Every object the release's manifest and hooks declare, with the apiVersion it is written at. */
export function releaseSightings(release: HelmRelease): { sightings: Sighting[]; problems: string[] } {
  const sightings: Sighting[] = [];
  const problems: string[] = [];
  const where = `release ${release.namespace}/${release.name} revision ${release.version}`;
  const add = (doc: unknown, detail: string) => {
    if (!isRecord(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') return;
    if (doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      for (const item of doc.items) add(item, detail);
      return;
    }
    const metadata = isRecord(doc.metadata) ? doc.metadata : {};
    const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
    const namespace =
      typeof metadata.namespace === 'string'
        ? { namespace: metadata.namespace }
        : clusterScoped.has(doc.kind) || !release.namespace
          ? {}
          : { namespace: release.namespace };
    sightings.push({
      object: { apiVersion: doc.apiVersion, kind: doc.kind, name, ...namespace },
      source: 'helm',
      detail,
    });
  };
  const texts = [
    { text: release.manifest, detail: where },
    ...release.hooks.map((text) => ({ text, detail: `${where} (hook)` })),
  ];
  for (const { text, detail } of texts) {
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) {
        problems.push(
          `${where}: unparsable manifest document (${document.errors[0]?.message.split('\n')[0]})`,
        );
        continue;
      }
      add(document.toJS(), detail);
    }
  }
  return { sightings, problems };
}
