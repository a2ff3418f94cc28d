import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ProviderError } from '../../../domain/errors.js';
import { errorMessage } from '../../../domain/retryable.js';
import { describeObject, isRecord, type KubeObject } from './objects.js';

const extensions = new Set(['.yaml', '.yml', '.json']);

/** One manifest object and where it came from, for messages. */
export interface Manifest {
  readonly object: KubeObject;
  readonly source: string;
}

/**
 * Reads every *.yaml, *.yml and *.json file under `directory` (recursively, in path order; entries whose
 * name starts with "." are skipped, so a mounted ConfigMap's "..data" copies are not read twice). YAML
 * files may hold many documents; a `kind: List` (or any *List with items) is expanded. Every object
 * needs apiVersion, kind and metadata.name, and no object may be defined twice. Any problem is a
 * non-retryable ProviderError naming the file and document.
 */
export async function loadManifests(directory: string): Promise<Manifest[]> {
  const files = await manifestFiles(directory);
  const manifests: Manifest[] = [];
  for (const file of files) {
    const path = join(directory, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw invalid(`cannot read ${path}: ${errorMessage(error)}`);
    }
    for (const { value, document } of parseFile(path, text)) {
      const source = `${path} (document ${document})`;
      for (const object of expandLists(value, source)) manifests.push({ object, source });
    }
  }
  const seen = new Map<string, string>();
  for (const { object, source } of manifests) {
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    const key = `${group}/${describeObject(object)}`;
    const first = seen.get(key);
    if (first) throw invalid(`${describeObject(object)} is defined twice: in ${first} and in ${source}`);
    seen.set(key, source);
  }
  return manifests;
}

async function manifestFiles(directory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(directory, { recursive: true });
  } catch (error) {
    throw invalid(`cannot read the manifests directory ${directory}: ${errorMessage(error)}`);
  }
  const files: string[] = [];
  for (const entry of entries.sort()) {
    if (entry.split(sep).some((part) => part.startsWith('.'))) continue;
    if (!extensions.has(extname(entry).toLowerCase())) continue;
    if ((await stat(join(directory, entry))).isFile()) files.push(entry);
  }
  return files;
}

/** The non-empty documents of a file, each with its 1-based position in the file. */
function parseFile(path: string, text: string): { value: unknown; document: number }[] {
  if (extname(path).toLowerCase() === '.json') {
    try {
      return [{ value: JSON.parse(text), document: 1 }];
    } catch (error) {
      throw invalid(`${path} is not valid JSON: ${errorMessage(error)}`);
    }
  }
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return []; // an empty stream
  return documents.flatMap((document, index) => {
    const [problem] = document.errors;
    if (problem) throw invalid(`${path} (document ${index + 1}) is not valid YAML: ${problem.message}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [{ value, document: index + 1 }];
  });
}

function expandLists(value: unknown, source: string): KubeObject[] {
  if (
    isRecord(value) &&
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    Array.isArray(value.items)
  ) {
    return value.items.flatMap((item, index) => expandLists(item, `${source}, item ${index + 1}`));
  }
  return [checkObject(value, source)];
}

function checkObject(value: unknown, source: string): KubeObject {
  if (!isRecord(value)) throw invalid(`${source}: not a Kubernetes object`);
  const metadata = value.metadata;
  const missing = [
    typeof value.apiVersion === 'string' && value.apiVersion ? undefined : 'apiVersion',
    typeof value.kind === 'string' && value.kind ? undefined : 'kind',
    isRecord(metadata) && typeof metadata.name === 'string' && metadata.name ? undefined : 'metadata.name',
  ].filter((field) => field !== undefined);
  if (missing.length > 0) throw invalid(`${source}: missing ${missing.join(', ')}`);
  return value as KubeObject;
}

function invalid(message: string): ProviderError {
  return new ProviderError(`manifests: ${message}`, false);
}

/**
 * Apply order: namespaces, then CRDs, then everything workloads need (ConfigMaps, Secrets, accounts,
 * RBAC, claims, Services), then workloads, then what refers to workloads (autoscalers, budgets, ingress).
 */
const ranks: Readonly<Record<string, number>> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  Deployment: 3,
  StatefulSet: 3,
  DaemonSet: 3,
  ReplicaSet: 3,
  Job: 3,
  CronJob: 3,
  HorizontalPodAutoscaler: 4,
  PodDisruptionBudget: 4,
  Ingress: 4,
};

export function applyRank(kind: string): number {
  return ranks[kind] ?? 2;
}

/** The objects grouped into apply waves: each wave holds one rank, in rank order, file order within. */
export function applyWavesOf(objects: readonly KubeObject[]): KubeObject[][] {
  const byRank = new Map<number, KubeObject[]>();
  for (const object of objects) {
    const rank = applyRank(object.kind);
    byRank.set(rank, [...(byRank.get(rank) ?? []), object]);
  }
  return [...byRank].sort(([a], [b]) => a - b).map(([, wave]) => wave);
}

/** Whether the manifests themselves define (by a CRD) the kind, so "not served" may only mean "not yet". */
export function definesKind(manifests: readonly Manifest[], apiVersion: string, kind: string): boolean {
  const group = apiVersion.split('/')[0];
  return manifests.some(({ object }) => {
    if (object.kind !== 'CustomResourceDefinition' || !isRecord(object.spec)) return false;
    const names = object.spec.names;
    return object.spec.group === group && isRecord(names) && names.kind === kind;
  });
}
