/**
 * The API versions blue serves and green does not, found from the two clusters' own discovery rather
 * than from a table: a built-in version a release stopped serving, or a custom resource version that
 * green's newer add-ons (their CRDs) no longer serve. An object of blue written at such a version by a
 * client (its field manager's entry, or kubectl's last-applied manifest) names a manifest or a client
 * that will fail against green: qualification fails and names it.
 */
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import type { CheckResult } from '../../../domain/ports.js';
import { listSome, plural } from '../health/verdict.js';
import type { Sighting } from './classify.js';
import { DiscoveryApi } from './discovery.js';
import { listPages, objectSightings, servedApiVersions } from './live.js';

export const servedApisCheckName = 'apis-green-serves';

export async function checkServedOnGreen(blue: KubeConfig, green: KubeConfig): Promise<CheckResult> {
  const [blueServed, greenServed] = await Promise.all([servedApiVersions(blue), servedApiVersions(green)]);
  const missing = [...blueServed].filter((apiVersion) => !greenServed.has(apiVersion)).sort();
  if (missing.length === 0) {
    return pass(`green serves every API version blue serves (${plural(blueServed.size, 'group/version')})`);
  }
  const api = blue.makeApiClient(DiscoveryApi);
  const sightings: Sighting[] = [];
  const unreadable: string[] = [];
  for (const apiVersion of missing) {
    try {
      sightings.push(...(await sightingsAt(api, apiVersion, blueServed, greenServed)));
    } catch (error) {
      unreadable.push(
        `${apiVersion}: ${error instanceof ApiException ? `HTTP ${error.code}` : String(error)}`,
      );
    }
  }
  const versions = missing.join(', ');
  if (sightings.length > 0) {
    const named = sightings.map(
      ({ object, detail }) =>
        `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name} (${object.apiVersion}: ${detail})`,
    );
    return {
      name: servedApisCheckName,
      verdict: 'fail',
      evidence:
        `green does not serve ${versions}, which blue serves; ${plural(sightings.length, 'object')} of blue ` +
        `use it: ${listSome(named)}. Move their manifests and clients to a version green serves`,
    };
  }
  if (unreadable.length > 0) {
    return {
      name: servedApisCheckName,
      verdict: 'inconclusive',
      evidence: `green does not serve ${versions}; could not list blue's objects at: ${listSome(unreadable)}`,
    };
  }
  return pass(
    `green does not serve ${versions}, which blue serves, but none of blue's objects was written at it ` +
      '(API clients that call it are invisible to an object scan)',
  );
}

function pass(evidence: string): CheckResult {
  return { name: servedApisCheckName, verdict: 'pass', evidence };
}

/**
 * Blue's objects written at `apiVersion`, which green does not serve. Each kind is listed at a version
 * both clusters serve when there is one (an object is served at every version of its kind, so that
 * lists them all, and a field manager's entry shows who wrote the old one); when green serves the kind
 * at no version blue has, every object of it is a finding: nothing on green could hold it.
 */
async function sightingsAt(
  api: DiscoveryApi,
  apiVersion: string,
  blueServed: ReadonlySet<string>,
  greenServed: ReadonlySet<string>,
): Promise<Sighting[]> {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const shared = [...blueServed].filter(
    (other) => greenServed.has(other) && (other.includes('/') ? other.split('/')[0] : '') === group,
  );
  const found: Sighting[] = [];
  for (const resource of await api.resourcesOf(apiVersion)) {
    if (resource.name.includes('/') || !resource.verbs.includes('list')) continue;
    const kind = resource.kind;
    let listAt = apiVersion;
    for (const other of shared) {
      if (await api.kindResource(other, kind)) {
        listAt = other;
        break;
      }
    }
    const nowhereOnGreen = listAt === apiVersion;
    for (const item of await listPages(api, listAt, kind, undefined)) {
      found.push(
        ...objectSightings(item, kind, listAt, nowhereOnGreen, blueServed)
          .filter((sighting) => sighting.object.apiVersion === apiVersion)
          .map((sighting) =>
            nowhereOnGreen && sighting.source === 'live'
              ? { ...sighting, detail: `green serves ${kind} at no version blue has` }
              : sighting,
          ),
      );
    }
  }
  return found;
}
