import fastJson from 'fast-json-stringify';
import type { FastifyReply, FastifySerializerCompiler } from 'fastify';
import { serializerCompiler as validatingSerializer } from 'fastify-type-provider-zod';
import { type ZodType, z } from 'zod';

/**
 * A response schema as JSON Schema: the zod schema of schemas.ts turned by zod itself, with the options
 * the OpenAPI document is made with (output side, references inside the one document).
 */
export function responseJsonSchema(schema: ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    reused: 'inline',
    cycles: 'ref',
  }) as Record<string, unknown>;
}

const compiled = new WeakMap<ZodType, (data: unknown) => string>();

/**
 * Serializes by the zod schema without checking each value, compiled once per schema (fastify's route
 * and a route's own cached bodies share it).
 *
 * fast-json-stringify picks a union's branch by validating the value with ajv, and ajv compiles that
 * validator on the first value that needs it: a stall of the event loop (about 200 ms for a stage's
 * saved state) in the middle of whatever the process is doing. Unions that take any object are written
 * whole instead (no branch to pick), and the remaining ones are compiled here, with the serializer.
 */
export function compiledSerializer(schema: ZodType): (data: unknown) => string {
  let serialize = compiled.get(schema);
  if (serialize === undefined) {
    // Its typings know a narrower JSON Schema than the draft zod writes; the draft is what it reads.
    serialize = fastJson(
      withoutCatchAllUnions(responseJsonSchema(schema)) as unknown as Parameters<typeof fastJson>[0],
      { compileValidators: true },
    );
    compiled.set(schema, serialize);
  }
  return serialize;
}

/** A branch that takes any JSON object as it is (`type: object` open to every property, nothing else). */
function takesAnyObject(branch: unknown): boolean {
  if (typeof branch !== 'object' || branch === null) return false;
  const {
    type,
    additionalProperties,
    description: _description,
    ...rest
  } = branch as Record<string, unknown>;
  return type === 'object' && additionalProperties === true && Object.keys(rest).length === 0;
}

/**
 * The schema with every anyOf/oneOf that has a take-any-object branch replaced by that branch: the
 * union accepts every object either way, and writing the value whole is what the open branch writes.
 */
export function withoutCatchAllUnions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutCatchAllUnions);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  const union = entries.find(([key]) => key === 'anyOf' || key === 'oneOf');
  const open = Array.isArray(union?.[1]) ? union[1].find(takesAnyObject) : undefined;
  if (union !== undefined && open !== undefined) {
    const { [union[0]]: _union, ...rest } = node as Record<string, unknown>;
    return { ...(withoutCatchAllUnions(rest) as object), ...(open as object) };
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutCatchAllUnions(value)]));
}

/**
 * How a route's response is turned into JSON. Successful reads, the hot and polled path, use a serializer
 * compiled from the schema (it writes exactly the schema's fields, as zod's output would, without
 * checking each value; a unit test holds the two equal on real records). Everything else (commands,
 * errors) is checked by zod as it is serialized, where a wrong answer matters more than its cost.
 */
export const responseSerializer: FastifySerializerCompiler<ZodType> = (route) => {
  const status = Number(route.httpStatus);
  if (route.method === 'GET' && status >= 200 && status < 300) return compiledSerializer(route.schema);
  return validatingSerializer(route as Parameters<typeof validatingSerializer>[0]);
};

/**
 * Answers with JSON already made by the route's compiled serializer (a kept body): fastify sends a
 * string with a JSON content type as it is, without serializing it again.
 */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
