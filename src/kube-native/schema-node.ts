/** A JSON Schema node as plain data, and the small helpers the CRD schema conversion shares. */
export type JsonSchema = Record<string, unknown>;

/** A node that accepts any JSON value: what an unknown or unrepresentable zod type becomes. */
export const anyValue: JsonSchema = { 'x-kubernetes-preserve-unknown-fields': true };

/** The keywords of `schema` among `keys`, those it sets. */
export function pick(schema: JsonSchema, keys: readonly string[]): JsonSchema {
  return Object.fromEntries(keys.filter((key) => schema[key] !== undefined).map((key) => [key, schema[key]]));
}
