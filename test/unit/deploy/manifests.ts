import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const root = join(import.meta.dirname, '..', '..', '..');
export const manifestsDir = join(root, 'deploy', 'kubernetes');

/** Enough of a Kubernetes object to navigate; everything below is read loosely, as YAML gives it. */
export interface KubeDoc {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field in the tests
  readonly [field: string]: any;
}

export const yamlFiles = (): string[] =>
  readdirSync(manifestsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();

/** Every document of a manifest file; throws with the parser's messages on any error or warning. */
export function loadManifest(file: string): KubeDoc[] {
  const text = readFileSync(join(manifestsDir, file), 'utf8');
  const documents = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(documents)) throw new Error(`${file}: not a YAML stream`);
  const problems = documents.flatMap((d) => [...d.errors, ...d.warnings]).map((e) => e.message);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return documents.map((d) => d.toJS() as KubeDoc).filter((doc) => doc !== null);
}

/** The one object of `kind` (and `name`, when given) among `docs`; throws unless there is exactly one. */
export function only(docs: readonly KubeDoc[], kind: string, name?: string): KubeDoc {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as KubeDoc;
}
