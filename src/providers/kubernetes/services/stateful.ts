import { ProviderError } from '../../../domain/errors.js';
import { describeObject, type KubeObject, podTemplate, recordAt, recordsAt, stringAt } from './objects.js';

/** An object whose data lives in a volume, and why that matters. */
export interface StatefulFinding {
  readonly object: string;
  readonly reason: string;
}

/**
 * Objects that keep data in persistent volumes:
 * - PersistentVolumeClaims, except those of generic ephemeral volumes (owned by a Pod: their data
 *   dies with the pod anyway);
 * - StatefulSets with volumeClaimTemplates (every replica gets its own claim);
 * - any workload whose pod template mounts a PersistentVolumeClaim by name.
 */
export function findStateful(objects: readonly KubeObject[]): StatefulFinding[] {
  const findings: StatefulFinding[] = [];
  for (const object of objects) {
    if (object.kind === 'PersistentVolumeClaim') {
      if (isEphemeralClaim(object)) continue;
      const size = stringAt(recordAt(recordAt(object.spec, 'resources'), 'requests'), 'storage');
      const volume = stringAt(object.spec, 'volumeName');
      findings.push({
        object: describeObject(object),
        reason: `claims ${size ?? 'a'} volume${volume ? ` (bound to ${volume} on the source cluster)` : ''}`,
      });
      continue;
    }
    const reasons: string[] = [];
    if (object.kind === 'StatefulSet') {
      const templates = recordsAt(object.spec, 'volumeClaimTemplates').map(
        (t) => stringAt(recordAt(t, 'metadata'), 'name') ?? '(unnamed)',
      );
      if (templates.length > 0) {
        reasons.push(
          `volumeClaimTemplates ${templates.map((t) => `"${t}"`).join(', ')} give each replica its own volume`,
        );
      }
    }
    const template = podTemplate(object);
    const claims = recordsAt(recordAt(template, 'spec'), 'volumes').flatMap((volume) => {
      const claim = stringAt(recordAt(volume, 'persistentVolumeClaim'), 'claimName');
      return claim ? [claim] : [];
    });
    if (claims.length > 0)
      reasons.push(`mounts PersistentVolumeClaim ${claims.map((c) => `"${c}"`).join(', ')}`);
    if (reasons.length > 0) findings.push({ object: describeObject(object), reason: reasons.join('; ') });
  }
  return findings;
}

function isEphemeralClaim(claim: KubeObject): boolean {
  const owners = Array.isArray(claim.metadata.ownerReferences) ? claim.metadata.ownerReferences : [];
  return owners.some((owner: unknown) => stringAt(owner, 'kind') === 'Pod');
}

/**
 * The refusal when stateful objects are found and allowStateful is not set. Not retryable: trying again
 * finds the same objects; a person has to move the data or opt in.
 */
export function statefulRefusal(what: string, findings: readonly StatefulFinding[]): ProviderError {
  const list = findings.map((f) => `${f.object} (${f.reason})`).join('; ');
  return new ProviderError(
    `refusing to ${what}: ${findings.length} stateful object(s): ${list}. ` +
      'Blue-green moves traffic, not data: persistent volumes stay with the cluster that uses them ' +
      "(an EBS volume cannot even leave its availability zone), so green's copies would start with new, " +
      'empty volumes, or with none at all. Move the data out of the cluster first (a managed database, ' +
      'object storage, a replicated store), or set allowStateful: true to deploy these objects anyway ' +
      'and accept empty volumes on green.',
    false,
  );
}
