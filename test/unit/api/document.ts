import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { LightMyRequestResponse } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';

type Injector = { inject: (options: { url: string }) => Promise<LightMyRequestResponse> };

/**
 * Checks answers against the served OpenAPI document the way a contract tester (schemathesis) does:
 * the status is documented for the operation, the content type for that status, and a JSON body
 * validates against its schema. Returns the problems found, none when the answer keeps the contract.
 */
export async function contractChecker(app: Injector) {
  const served = (await app.inject({ url: '/openapi.json' })).json();
  const document = (await SwaggerParser.dereference(structuredClone(served))) as OpenAPIV3_1.Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  return (method: string, path: string, response: LightMyRequestResponse): string[] => {
    const operation = document.paths?.[path]?.[method.toLowerCase() as OpenAPIV3_1.HttpMethods];
    if (operation === undefined) return [`${method} ${path} is not documented`];
    const status = String(response.statusCode);
    const documented = operation.responses?.[status] as OpenAPIV3_1.ResponseObject | undefined;
    if (documented === undefined) return [`status ${status} is not documented for ${method} ${path}`];
    const type = String(response.headers['content-type'] ?? '').split(';')[0] ?? '';
    const media = documented.content?.[type];
    if (media === undefined) {
      return [`${type || 'no content type'} is not documented for ${status} of ${method} ${path}`];
    }
    if (type !== 'application/json' || media.schema === undefined) return [];
    const validate = ajv.compile(media.schema);
    if (validate(response.json())) return [];
    return (validate.errors ?? []).map((e) => `${status} body${e.instancePath}: ${e.message}`);
  };
}
