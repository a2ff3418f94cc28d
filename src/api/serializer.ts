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
 */
export function compiledSerializer(schema: ZodType): (data: unknown) => string {
  let serialize = compiled.get(schema);
  if (serialize === undefined) {
    // Its typings know a narrower JSON Schema than the draft zod writes; the draft is what it reads.
    serialize = fastJson(responseJsonSchema(schema) as unknown as Parameters<typeof fastJson>[0]);
    compiled.set(schema, serialize);
  }
  return serialize;
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
