/**
 * The switchyard.dev/v1alpha1 CustomResourceDefinitions, made from the zod schemas that already check
 * a platform file and the API's promotion request and record: one source of truth, turned into the
 * structural schemas Kubernetes accepts (see structural-schema.ts). deploy/crds/ holds them as YAML;
 * a unit test keeps those files equal to what this module makes.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { promotionSchema } from '../api/schemas.js';
import { durationMs } from '../config/duration.js';
import { platformSchema } from '../config/schema.js';
import { promotionSpecSchema } from './promotion-spec.js';
import type { JsonSchema } from './schema-node.js';
import { toStructural } from './structural-schema.js';

export const crdGroup = 'switchyard.dev';
export const crdVersion = 'v1alpha1';
export const crdApiVersion = `${crdGroup}/${crdVersion}`;

export const platformNames = {
  kind: 'Platform',
  listKind: 'PlatformList',
  plural: 'platforms',
  singular: 'platform',
  shortNames: ['syp'],
  categories: ['switchyard'],
} as const;

export const promotionNames = {
  kind: 'Promotion',
  listKind: 'PromotionList',
  plural: 'promotions',
  singular: 'promotion',
  shortNames: ['sypr'],
  categories: ['switchyard'],
} as const;

const durationDescription =
  'a duration like "30s", "5m", "1h30m" or "250ms", or a whole number of seconds (write 1.5s, not 1.5)';

/**
 * The JSON Schema of a zod schema, as the conversion reads it. A duration field takes a string or a
 * number, which only Kubernetes' int-or-string can say; the zod type is unknown, so it is marked here.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
    reused: 'inline',
    cycles: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === durationMs.in) {
        Object.assign(jsonSchema, { 'x-kubernetes-int-or-string': true, description: durationDescription });
      }
    },
  }) as JsonSchema;
}

/**
 * A Platform's spec: the platform file without `name`, which is the resource's metadata.name (held to
 * the same DNS-label rule by a CEL rule on the object, as the file's name is by its pattern).
 */
function platformSpec(): { spec: JsonSchema; namePattern: string } {
  const file = toStructural(jsonSchemaOf(platformSchema, 'input'));
  const { name, ...properties } = file.properties as Record<string, JsonSchema>;
  const namePattern = name?.pattern;
  if (typeof namePattern !== 'string') throw new Error('the platform file schema lost its name pattern');
  const required = (file.required as string[]).filter((field) => field !== 'name');
  return {
    spec: {
      ...file,
      description: 'the platform file (config/platforms/*.yaml) without name: metadata.name is the name',
      properties,
      required,
    },
    namePattern,
  };
}

function rootSchema(description: string, fields: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...fields,
    },
    required: ['spec'],
  };
}

function definition(names: typeof platformNames | typeof promotionNames, version: JsonSchema): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${crdGroup}` },
    spec: {
      group: crdGroup,
      names,
      scope: 'Namespaced',
      versions: [{ name: crdVersion, served: true, storage: true, ...version }],
    },
  };
}

export function platformCrd(): JsonSchema {
  const { spec, namePattern } = platformSpec();
  const schema = rootSchema('Two cluster slots and their traffic entry point, upgraded blue-green.', {
    spec,
  });
  schema['x-kubernetes-validations'] = [
    {
      rule: `self.metadata.name.matches('${namePattern}')`,
      message: 'the name must be a DNS label: lowercase letters, digits and "-", at most 63',
    },
  ];
  return definition(platformNames, {
    schema: { openAPIV3Schema: schema },
    additionalPrinterColumns: [
      { name: 'Router', type: 'string', jsonPath: '.spec.traffic.router' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/**
 * What a Promotion's spec may not do once it exists: a request is answered by a new promotion, not by
 * editing one under way, and a rollback once asked for is acted on, so it cannot be taken back or changed.
 * (CEL transition rules: oldSelf is the stored object; they run on update only.)
 */
const promotionSpecRules = [
  { rule: 'self.platform == oldSelf.platform', fieldPath: '.platform' },
  { rule: 'self.targetVersion == oldSelf.targetVersion', fieldPath: '.targetVersion' },
  {
    rule: 'has(self.options) == has(oldSelf.options) && (!has(self.options) || self.options == oldSelf.options)',
    fieldPath: '.options',
  },
].map((rule) => ({ ...rule, message: 'cannot change once the promotion exists: create a new Promotion' }));

const rollbackRule = {
  rule: '!has(oldSelf.rollback) || (has(self.rollback) && self.rollback == oldSelf.rollback)',
  fieldPath: '.rollback',
  message: 'a requested rollback cannot be withdrawn or changed',
};

/**
 * What the Kubernetes store keeps in a Promotion's status beside the API view above (see
 * src/store/kubernetes/): the exact record and the unsealed tail of its event log as JSON strings (the
 * view is pruned to the schema, so it cannot be read back as the record), and the counters that make its
 * writes compare-and-swap, fenced and ordered. Absent on a request no controller has accepted yet.
 */
const storageSchema: JsonSchema = {
  type: 'object',
  description: "the controller's own storage of this promotion: written by Switchyard only, never by hand",
  properties: {
    record: { type: 'string', description: 'the promotion record as JSON: authoritative' },
    version: { type: 'integer', description: "the record's compare-and-swap version" },
    epoch: { type: 'integer', description: 'the leader term that last wrote it (fencing)' },
    createdRevision: {
      type: 'string',
      description: 'the resourceVersion at which the store accepted it: orders equal creation times',
    },
    events: { type: 'string', description: 'the event log entries not yet sealed into a ConfigMap, as JSON' },
    nextSeq: { type: 'integer', description: 'the seq the next event gets' },
    sealedChunks: { type: 'integer', description: 'how many ConfigMaps <name>.events-<k> hold older events' },
  },
  required: ['record', 'version', 'epoch', 'createdRevision', 'events', 'nextSeq', 'sealedChunks'],
};

export function promotionCrd(): JsonSchema {
  const spec = toStructural(jsonSchemaOf(promotionSpecSchema, 'input'));
  const status = toStructural(jsonSchemaOf(promotionSchema, 'output'));
  return definition(promotionNames, {
    schema: {
      openAPIV3Schema: rootSchema('One move of a platform from its live cluster to a new one.', {
        spec: {
          ...spec,
          description: 'the request, and the actions taken on it (pause, rollback, weight)',
          'x-kubernetes-validations': [...promotionSpecRules, rollbackRule],
        },
        status: {
          ...status,
          description: 'the promotion record, as GET /v1/promotions/{id} answers (no events)',
          properties: { ...(status.properties as Record<string, JsonSchema>), storage: storageSchema },
        },
      }),
    },
    subresources: { status: {} },
    additionalPrinterColumns: [
      { name: 'Platform', type: 'string', jsonPath: '.spec.platform' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Stage', type: 'string', jsonPath: '.status.currentStage' },
      {
        name: 'Green %',
        type: 'integer',
        jsonPath: '.status.traffic.green',
        description: 'percent of traffic on green, last verified at the router',
      },
      { name: 'Target', type: 'string', jsonPath: '.spec.targetVersion', priority: 1 },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/** The committed files under deploy/crds/, by file name, with the note that says how they are made. */
export function crdFiles(): Record<string, string> {
  const header = [
    '# Generated from the zod schemas by src/kube-native/crds.ts; do not edit.',
    '# Regenerate: UPDATE_CRDS=1 npx vitest run --project unit test/unit/kube-native/crds.test.ts',
  ].join('\n');
  return Object.fromEntries(
    [platformCrd(), promotionCrd()].map((crd) => {
      const name = (crd.metadata as { name: string }).name;
      return [`${name}.yaml`, `${header}\n${stringify(crd, { lineWidth: 0 })}`];
    }),
  );
}
