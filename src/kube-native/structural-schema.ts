/**
 * Turns the JSON Schema zod writes (target openapi-3.0) into a Kubernetes structural schema, the only
 * kind a CustomResourceDefinition accepts: every node has a type (or says it is open), no $ref, unions
 * folded into one typed node, no additionalProperties beside properties, only the keywords the
 * apiserver knows. Wherever the two differ the result is looser, never stricter: the zod schema stays
 * the full check, run by the controller; the apiserver's check is the part Kubernetes can express.
 * `format` is dropped for that reason: zod checks a URL with the WHATWG parser, kube-apiserver with Go's
 * stricter one, which refuses the {slot} and {cluster} templates a smoke URL may hold.
 */
import { mergeVariants } from './schema-merge.js';
import { anyValue, type JsonSchema, pick } from './schema-node.js';

/** JSONSchemaProps fields a value check may use; anything else zod writes is dropped. */
const valueKeywords = [
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'nullable',
] as const;

/**
 * The structural form of `root`, resolving references against its `definitions` (or `$defs`). A
 * reference cycle cannot be inlined and throws: Kubernetes schemas are trees.
 */
export function toStructural(root: JsonSchema): JsonSchema {
  const definitions = {
    ...(root.definitions as Record<string, JsonSchema> | undefined),
    ...(root.$defs as Record<string, JsonSchema> | undefined),
  };
  const { definitions: _d, $defs: _s, $schema: _v, ...body } = root;
  return convert(body, definitions, []);
}

function convert(node: JsonSchema, definitions: Record<string, JsonSchema>, seen: string[]): JsonSchema {
  const resolved = inlineReferences(node, definitions, seen);
  const { schema, seen: path } = resolved;
  const recurse = (child: JsonSchema) => convert(child, definitions, path);
  const described = withDefaultInDescription(schema);
  if (schema['x-kubernetes-int-or-string'] === true) {
    return { 'x-kubernetes-int-or-string': true, ...pick(described, ['description']) };
  }
  const variants = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (variants !== undefined && schema.type === undefined) {
    const merged = mergeVariants(variants.map(recurse));
    return { ...merged, ...pick(described, ['description']) };
  }
  switch (schema.type) {
    case 'object':
      return objectNode(schema, described, recurse);
    case 'array':
      return {
        type: 'array',
        ...pick(described, ['description', ...valueKeywords]),
        items: schema.items === undefined ? anyValue : recurse(schema.items as JsonSchema),
      };
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return {
        type: schema.type,
        ...withoutSafeIntegerBounds(pick(described, ['description', ...valueKeywords])),
      };
    case undefined:
      return { ...anyValue, ...pick(described, ['description']) };
    default:
      throw new Error(`cannot express JSON Schema type ${JSON.stringify(schema.type)} in a CRD`);
  }
}

function objectNode(
  schema: JsonSchema,
  described: JsonSchema,
  recurse: (child: JsonSchema) => JsonSchema,
): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const extra = schema.additionalProperties as boolean | JsonSchema | undefined;
  const open = extra === true || (typeof extra === 'object' && Object.keys(extra).length === 0);
  const node: JsonSchema = {
    type: 'object',
    ...pick(described, ['description', 'minProperties', 'maxProperties']),
  };
  if (properties !== undefined) {
    node.properties = Object.fromEntries(
      Object.entries(properties).map(([name, child]) => [name, recurse(child)]),
    );
    const required = schema.required as string[] | undefined;
    if (required !== undefined && required.length > 0) node.required = required;
    // Kubernetes allows properties or a map's additionalProperties, not both: a typed rest is kept open.
    if (extra !== undefined && extra !== false) node['x-kubernetes-preserve-unknown-fields'] = true;
  } else if (open) {
    node['x-kubernetes-preserve-unknown-fields'] = true;
  } else if (typeof extra === 'object') {
    node.additionalProperties = recurse(extra);
  } else {
    node['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return node;
}

/**
 * A `$ref` (alone, or as the single member of an `allOf` that only adds a description) replaced by
 * the definition it names, with the node's own keywords on top.
 */
function inlineReferences(
  node: JsonSchema,
  definitions: Record<string, JsonSchema>,
  seen: string[],
): { schema: JsonSchema; seen: string[] } {
  let schema = node;
  let path = seen;
  for (;;) {
    const allOf = schema.allOf as JsonSchema[] | undefined;
    if (allOf !== undefined) {
      if (allOf.length !== 1) throw new Error('cannot express an allOf of several schemas in a CRD');
      const { allOf: _a, ...rest } = schema;
      schema = { ...(allOf[0] as JsonSchema), ...rest };
      continue;
    }
    const ref = schema.$ref;
    if (typeof ref !== 'string') return { schema, seen: path };
    const name = ref.slice(ref.lastIndexOf('/') + 1);
    const target = definitions[name];
    if (target === undefined) throw new Error(`unresolved reference ${ref}`);
    if (path.includes(name)) throw new Error(`reference cycle through ${name}: a CRD schema must be a tree`);
    path = [...path, name];
    const { $ref: _r, ...rest } = schema;
    schema = { ...target, ...rest };
  }
}

/** A default is applied by zod when the controller reads the object, so the apiserver only shows it. */
function withDefaultInDescription(schema: JsonSchema): JsonSchema {
  const value = schema.default;
  // An object's default ({} for a section whose fields have their own) says nothing worth showing.
  if (value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))) {
    return schema;
  }
  const shown = `default: ${JSON.stringify(value)}`;
  const description = typeof schema.description === 'string' ? `${schema.description}; ${shown}` : shown;
  return { ...schema, description };
}

/** zod bounds every integer by ±(2^53 - 1); Kubernetes integers are 64-bit, so those bounds are noise. */
function withoutSafeIntegerBounds(node: JsonSchema): JsonSchema {
  const { minimum, maximum, ...rest } = node;
  return {
    ...rest,
    ...(minimum === undefined || minimum === Number.MIN_SAFE_INTEGER ? {} : { minimum }),
    ...(maximum === undefined || maximum === Number.MAX_SAFE_INTEGER ? {} : { maximum }),
  };
}
