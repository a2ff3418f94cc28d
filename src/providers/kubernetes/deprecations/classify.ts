import type { CheckResult } from '../../../domain/ports.js';
import {
  type ApiDeprecation,
  type ApiRemoval,
  apiRemovals,
  apiVersionOf,
  deprecatedApis,
  type RemovalVersion,
  type Replacement,
} from './table.js';
import { compareVersions, formatVersion, type MinorVersion } from './version.js';

export type FindingSource = 'live' | 'last-applied' | 'helm';

export interface ObjectRef {
  /** The apiVersion that was seen (the at-risk one), not necessarily the one the object is served at. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One place where an object was seen written against some apiVersion. */
export interface Sighting {
  readonly object: ObjectRef;
  readonly source: FindingSource;
  /** Where exactly, for people: the Helm release, or the field manager and when it wrote. */
  readonly detail: string;
}

/** A sighting of an API version the target release no longer serves. */
export interface Finding extends Sighting {
  readonly removedIn: RemovalVersion;
  readonly replacement: Replacement;
}

export type ApiStatus =
  | { readonly status: 'removed'; readonly entry: ApiRemoval }
  | { readonly status: 'deprecated'; readonly entry: ApiRemoval | ApiDeprecation };

const key = (apiVersion: string, kind: string) => `${apiVersion}|${kind}`;
const removalIndex = new Map(apiRemovals.map((e) => [key(apiVersionOf(e), e.kind), e]));
const deprecationIndex = new Map(deprecatedApis.map((e) => [key(apiVersionOf(e), e.kind), e]));

/**
 * What `target` does with apiVersion/kind: no longer serves it, serves it with a deprecation warning,
 * or (undefined) serves it normally. A removal whose deprecation release we do not know counts as
 * deprecated before it is removed: warning early is cheaper than warning late.
 */
export function apiStatus(apiVersion: string, kind: string, target: MinorVersion): ApiStatus | undefined {
  const removal = removalIndex.get(key(apiVersion, kind));
  if (removal) {
    if (compareVersions(target, removal.removedIn) >= 0) return { status: 'removed', entry: removal };
    if (removal.deprecatedIn === undefined || compareVersions(target, removal.deprecatedIn) >= 0) {
      return { status: 'deprecated', entry: removal };
    }
    return undefined;
  }
  const deprecation = deprecationIndex.get(key(apiVersion, kind));
  if (deprecation && compareVersions(target, deprecation.deprecatedIn) >= 0) {
    return { status: 'deprecated', entry: deprecation };
  }
  return undefined;
}

export function describeObject(object: ObjectRef): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}

export function describeReplacement(replacement: Replacement): string {
  if (replacement.apiVersion === null) return `no replacement API (${replacement.notes})`;
  const kind = replacement.kind ? ` ${replacement.kind}` : '';
  return `use ${replacement.apiVersion}${kind} (${replacement.notes})`;
}

/** Splits sightings into findings (removed in `target`) and warnings (deprecated but served there). */
export function judge(
  sightings: readonly Sighting[],
  target: MinorVersion,
): { findings: Finding[]; warnings: string[] } {
  const findings: Finding[] = [];
  const warnings = new Set<string>();
  for (const sighting of sightings) {
    const { apiVersion, kind } = sighting.object;
    const status = apiStatus(apiVersion, kind, target);
    if (status?.status === 'removed') {
      const { removedIn, replacement } = status.entry;
      findings.push({ ...sighting, removedIn, replacement });
    } else if (status?.status === 'deprecated') {
      const { entry } = status;
      const removal = 'removedIn' in entry ? `removed in ${entry.removedIn}` : 'still served';
      const since = entry.deprecatedIn ? `deprecated since ${entry.deprecatedIn}, ` : '';
      warnings.add(
        `${describeObject(sighting.object)} uses ${apiVersion} (${sighting.source}: ${sighting.detail}), ` +
          `${since}${removal}: ${describeReplacement(entry.replacement)}`,
      );
    }
  }
  return { findings, warnings: [...warnings] };
}

export interface ScanTotals {
  readonly objects: number;
  readonly releases: number;
  /** What could not be read (forbidden, undecodable); makes a clean result inconclusive. */
  readonly unreadable: readonly string[];
}

/** The "removed-apis" check: fails on any finding, one line per object and at-risk apiVersion. */
export function removedApisCheck(
  findings: readonly Finding[],
  target: MinorVersion,
  totals: ScanTotals,
): CheckResult {
  const name = 'removed-apis';
  const scanned = `${totals.objects} objects, ${totals.releases} helm releases scanned`;
  const gaps = totals.unreadable.length > 0 ? `; could not read: ${totals.unreadable.join('; ')}` : '';
  if (findings.length === 0) {
    return totals.unreadable.length > 0
      ? { name, verdict: 'inconclusive', evidence: `no removed APIs found (${scanned})${gaps}` }
      : { name, verdict: 'pass', evidence: `no removed APIs in use (${scanned})` };
  }
  const lines = new Map<string, { head: string; seen: string[]; fix: string }>();
  for (const finding of findings) {
    const id = `${describeObject(finding.object)}|${finding.object.apiVersion}`;
    const line = lines.get(id) ?? {
      head: `${describeObject(finding.object)}: ${finding.object.apiVersion} (removed in ${finding.removedIn})`,
      seen: [],
      fix: describeReplacement(finding.replacement),
    };
    line.seen.push(`${finding.source}: ${finding.detail}`);
    lines.set(id, line);
  }
  const body = [...lines.values()].map((l) => `- ${l.head}, seen in ${l.seen.join('; ')} -> ${l.fix}`);
  return {
    name,
    verdict: 'fail',
    evidence: [
      `${lines.size} object(s) use APIs that Kubernetes ${formatVersion(target)} no longer serves (${scanned}${gaps}):`,
      ...body,
    ].join('\n'),
  };
}
