import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationMs } from '../../../src/config/duration.js';
import { jsonSchemaOf } from '../../../src/kube-native/crds.js';
import { toStructural } from '../../../src/kube-native/structural-schema.js';
import { structuralProblems } from './structural-check.js';

const structural = (schema: z.ZodType, io: 'input' | 'output' = 'input') => {
  const converted = toStructural(jsonSchemaOf(schema, io));
  expect(structuralProblems(converted)).toEqual([]);
  return converted;
};

describe('toStructural', () => {
  it('escapes a property name that is a CEL keyword, as Kubernetes exposes it', () => {
    const query = z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('metric'), namespace: z.string() }),
      z.strictObject({ kind: z.literal('health'), id: z.string() }),
    ]);
    expect(structural(query)['x-kubernetes-validations']).toContainEqual({
      rule: 'self.kind != "metric" || has(self.__namespace__)',
      message: 'required with kind "metric"',
      fieldPath: '.namespace',
      reason: 'FieldValueRequired',
    });
  });

  it("folds a discriminated union into one object whose CEL rules keep each kind's required fields", () => {
    const source = z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('copy'), namespaces: z.array(z.string()) }),
      z.strictObject({ kind: z.literal('manifests'), directory: z.string() }),
      // Open (no type), so CEL cannot see it: no rule names it.
      z.strictObject({ kind: z.literal('external'), workloads: z.union([z.string(), z.array(z.string())]) }),
    ]);
    expect(structural(source)).toEqual({
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['copy', 'manifests', 'external'] },
        namespaces: { type: 'array', items: { type: 'string' } },
        directory: { type: 'string' },
        workloads: { 'x-kubernetes-preserve-unknown-fields': true },
      },
      required: ['kind'],
      'x-kubernetes-validations': [
        {
          rule: 'self.kind != "copy" || has(self.namespaces)',
          message: 'required with kind "copy"',
          fieldPath: '.namespaces',
          reason: 'FieldValueRequired',
        },
        {
          rule: 'self.kind != "manifests" || has(self.directory)',
          message: 'required with kind "manifests"',
          fieldPath: '.directory',
          reason: 'FieldValueRequired',
        },
      ],
    });
  });

  it('leaves a value open when its members have different types (a list or a selector)', () => {
    const namespaces = z.union([z.array(z.string()), z.strictObject({ selector: z.string() })]);
    expect(structural(z.object({ namespaces })).properties).toEqual({
      namespaces: { 'x-kubernetes-preserve-unknown-fields': true },
    });
  });

  it('makes an integer-or-string union int-or-string, and a duration too', () => {
    const converted = structural(z.object({ port: z.union([z.int(), z.string()]), bake: durationMs }));
    expect(converted.properties).toEqual({
      port: { 'x-kubernetes-int-or-string': true },
      bake: { 'x-kubernetes-int-or-string': true, description: expect.stringContaining('"30s"') },
    });
  });

  it('drops additionalProperties: false, keeps a loose object open and a record as a map', () => {
    const converted = structural(
      z.object({
        strict: z.strictObject({ a: z.string() }),
        loose: z.looseObject({ a: z.string() }),
        labels: z.record(z.string(), z.string()),
        anything: z.record(z.string(), z.unknown()),
      }),
    );
    expect(converted.properties).toEqual({
      strict: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
      loose: {
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
        'x-kubernetes-preserve-unknown-fields': true,
      },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      anything: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    });
  });

  it('inlines named schemas and says a default in the description instead of applying it', () => {
    const step = z.object({
      green: z.int().min(1).max(100),
      approval: z.enum(['required', 'none']).default('none'),
    });
    const converted = structural(
      z.object({ first: step.meta({ id: 'Step' }), last: step.meta({ id: 'Step2' }) }),
    );
    const expected = {
      type: 'object',
      properties: {
        green: { type: 'integer', minimum: 1, maximum: 100 },
        approval: { type: 'string', enum: ['required', 'none'], description: 'default: "none"' },
      },
      required: ['green'],
    };
    expect(converted.properties).toEqual({ first: expected, last: expected });
  });

  it('refuses a reference cycle: a CRD schema is a tree', () => {
    const root = {
      $ref: '#/definitions/Node',
      definitions: { Node: { type: 'object', properties: { child: { $ref: '#/definitions/Node' } } } },
    };
    expect(() => toStructural(root)).toThrow('reference cycle through Node');
  });

  it('widens integer and number to number and keeps only the checks every member makes', () => {
    const converted = structural(z.object({ value: z.union([z.int().min(0), z.number().min(0).max(1)]) }));
    expect(converted.properties).toEqual({ value: { type: 'number', minimum: 0 } });
  });
});
