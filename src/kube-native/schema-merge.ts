/**
 * Folds a union's members (already structural) into the one typed node Kubernetes requires. The result
 * accepts everything any member accepts. A union of objects told apart by a literal field (zod's
 * discriminated unions: traffic.router, services.source.kind, …) keeps each member's required fields
 * as CEL rules on that field.
 */
import { isDeepStrictEqual } from 'node:util';
import { anyValue, type JsonSchema, pick } from './schema-node.js';

const intOrString = 'x-kubernetes-int-or-string';
const preserve = 'x-kubernetes-preserve-unknown-fields';

export function mergeVariants(variants: readonly JsonSchema[]): JsonSchema {
  const [first] = variants;
  if (first === undefined) return anyValue;
  if (variants.every((variant) => isDeepStrictEqual(variant, first))) return first;
  const kinds = new Set(variants.map(kindOf));
  if (kinds.has('any')) return anyValue;
  if (kinds.size === 1) {
    if (kinds.has('object')) return mergeObjects(variants);
    if (kinds.has('array')) return mergeArrays(variants);
    if (kinds.has(intOrString)) return { [intOrString]: true, ...sharedKeywords(variants, ['description']) };
    return mergeScalars(first.type as string, variants);
  }
  if ([...kinds].every((kind) => kind === 'integer' || kind === 'number')) {
    return mergeScalars('number', variants);
  }
  if ([...kinds].every((kind) => kind === 'integer' || kind === 'string' || kind === intOrString)) {
    return { [intOrString]: true, ...sharedKeywords(variants, ['description']) };
  }
  return { ...anyValue, ...sharedKeywords(variants, ['description']) };
}

function kindOf(node: JsonSchema): string {
  if (node[intOrString] === true) return intOrString;
  return typeof node.type === 'string' ? node.type : 'any';
}

function mergeScalars(type: string, variants: readonly JsonSchema[]): JsonSchema {
  const enums = variants.map((variant) => variant.enum as unknown[] | undefined);
  const allEnums = enums.every((values) => values !== undefined);
  return {
    type,
    ...sharedKeywords(variants, [
      'description',
      'format',
      'pattern',
      'minLength',
      'maxLength',
      'minimum',
      'maximum',
      'exclusiveMinimum',
      'exclusiveMaximum',
    ]),
    ...(allEnums ? { enum: [...new Set(enums.flat())] } : {}),
  };
}

function mergeArrays(variants: readonly JsonSchema[]): JsonSchema {
  return {
    type: 'array',
    ...sharedKeywords(variants, ['description', 'minItems', 'maxItems']),
    items: mergeVariants(variants.map((variant) => variant.items as JsonSchema)),
  };
}

function mergeObjects(variants: readonly JsonSchema[]): JsonSchema {
  const propertiesOf = (variant: JsonSchema) => variant.properties as Record<string, JsonSchema> | undefined;
  const names = [...new Set(variants.flatMap((variant) => Object.keys(propertiesOf(variant) ?? {})))];
  const node: JsonSchema = { type: 'object', ...sharedKeywords(variants, ['description']) };
  if (names.length === 0) {
    const maps = variants.map((variant) => variant.additionalProperties as JsonSchema | undefined);
    if (maps.every((map) => map !== undefined)) return { ...node, additionalProperties: mergeVariants(maps) };
    return { ...node, [preserve]: true };
  }
  const properties: Record<string, JsonSchema> = Object.fromEntries(
    names.map((name) => {
      const present = variants.flatMap((variant): JsonSchema[] => {
        const property = propertiesOf(variant)?.[name];
        return property === undefined ? [] : [property];
      });
      return [name, mergeVariants(present)];
    }),
  );
  node.properties = properties;
  const requiredOf = (variant: JsonSchema) => (variant.required as string[] | undefined) ?? [];
  const required = names.filter((name) => variants.every((variant) => requiredOf(variant).includes(name)));
  if (required.length > 0) node.required = required;
  if (variants.some((variant) => variant[preserve] === true || propertiesOf(variant) === undefined)) {
    node[preserve] = true;
  }
  const discriminator = discriminatorOf(variants);
  if (discriminator !== undefined) {
    const rules = variants.flatMap((variant) => {
      const value = propertiesOf(variant)?.[discriminator]?.enum as [string];
      // A field of no declared type is invisible to CEL (the rule would not compile): zod alone checks it.
      const own = requiredOf(variant).filter(
        (name) => !required.includes(name) && kindOf(properties[name] ?? {}) !== 'any',
      );
      return own.map((field) => requiredWhen(discriminator, value[0], field));
    });
    if (rules.length > 0) node['x-kubernetes-validations'] = rules;
  }
  return node;
}

/**
 * A CEL rule: a field a member requires, when the discriminator names that member. A rule rather than a
 * oneOf of the members, because the apiserver explains a failed oneOf by the first member only
 * ("router: supported values: route53" for an ALB section missing its listener); the rule reports
 * the missing field at its own path, as a missing required field is reported.
 */
function requiredWhen(discriminator: string, value: string, field: string): JsonSchema {
  return {
    rule: `self.${celName(discriminator)} != ${JSON.stringify(value)} || has(self.${celName(field)})`,
    message: `required with ${discriminator} ${JSON.stringify(value)}`,
    fieldPath: `.${field}`,
    reason: 'FieldValueRequired',
  };
}

const celReserved = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** A property name as Kubernetes' CEL environment exposes it (reserved words escaped, e.g. __namespace__). */
function celName(name: string): string {
  if (celReserved.has(name)) return `__${name}__`;
  return name
    .replaceAll('_', '__underscores__')
    .replaceAll('.', '__dot__')
    .replaceAll('-', '__dash__')
    .replaceAll('/', '__slash__');
}

/** A property every member fixes to its own single value, e.g. `router` in traffic. */
function discriminatorOf(variants: readonly JsonSchema[]): string | undefined {
  const first = variants[0]?.properties as Record<string, JsonSchema> | undefined;
  return Object.keys(first ?? {}).find((name) => {
    const values = variants.map((variant) => {
      const values = (variant.properties as Record<string, JsonSchema> | undefined)?.[name]?.enum;
      return Array.isArray(values) && values.length === 1 ? values[0] : undefined;
    });
    return values.every((value) => value !== undefined) && new Set(values).size === values.length;
  });
}

/** The keywords every member sets to the same value; a check only some members make is dropped. */
function sharedKeywords(variants: readonly JsonSchema[], keys: readonly string[]): JsonSchema {
  const [first = {}] = variants;
  return pick(
    first,
    keys.filter((key) => variants.every((variant) => isDeepStrictEqual(variant[key], first[key]))),
  );
}
