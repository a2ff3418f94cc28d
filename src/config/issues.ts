import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';

/** How a value looks in a message: short, and with its kind when its type was the problem. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

const yamlType: Record<string, string> = { object: 'a mapping', array: 'a list', record: 'a mapping' };

/**
 * Per-parse messages in the words of the YAML a platform engineer writes ("a mapping", "a list",
 * "required"); anything not covered keeps zod's own message.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'required';
      const want =
        yamlType[issue.expected] ?? (issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`);
      return `expected ${want}, got ${describeValue(issue.input)}`;
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return issue.input === undefined
        ? `required: one of ${options}`
        : `must be one of ${options}, got ${describeValue(issue.input)}`;
    }
    case 'invalid_union':
      if (issue.note === 'No matching discriminator' && 'options' in issue && Array.isArray(issue.options)) {
        const options = issue.options.map((v: unknown) => JSON.stringify(v)).join(', ');
        return issue.input === undefined ? `required: one of ${options}` : `must be one of ${options}`;
      }
      return undefined;
    case 'too_small':
      if (issue.origin === 'array')
        return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : undefined;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') return `must be at most ${issue.maximum}`;
      return undefined;
    case 'unrecognized_keys':
      return `unknown key${allowedKeys(issue.inst)}`;
    default:
      return undefined;
  }
};

/**
 * Lists the keys the object (or enum-keyed map, like stageTimeouts) takes, so a typo's fix is in the
 * message. Reads zod's schema definition, which the issue carries as `inst`.
 */
function allowedKeys(schema: unknown): string {
  const def = (schema as SchemaLike | undefined)?._zod?.def;
  const keys = def?.shape === undefined ? def?.keyType?.options : Object.keys(def.shape);
  return keys === undefined ? '' : ` (expected one of: ${keys.join(', ')})`;
}

interface SchemaLike {
  readonly _zod?: {
    readonly def?: { readonly shape?: object; readonly keyType?: { readonly options?: string[] } };
  };
}

/** "traffic.steps[1].bake"; keys that are not plain names are quoted: tags["kubernetes.io/role"]. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** YAML 1.1's merge key reads as a key named "<<" in YAML 1.2, which is what the loader parses. */
const mergeKeyProblem =
  'YAML merge keys (<<) are not supported: repeat the keys, or alias a whole value (&name … *name)';

/**
 * Turns zod issues into config issues; an unknown-keys issue becomes one issue per key, at the key.
 * After a wrong type, zod 4.6 still runs length checks ("expected a list, got "x"" then "Too small:
 * expected string to have >=2 characters"); only the type error is kept for that path.
 */
export function toConfigIssues(file: string, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const wrongType = new Set<string>();
  return issues.flatMap((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        path: formatPath([...issue.path, key]),
        problem: key === '<<' ? mergeKeyProblem : issue.message,
      }));
    }
    if (wrongType.has(path)) return [];
    if (issue.code === 'invalid_type') wrongType.add(path);
    return [{ file, path, problem: issue.message }];
  });
}
