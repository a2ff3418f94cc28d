import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { platformSchema } from '../../../src/config/schema.js';
import { crdFiles, platformCrd, promotionCrd } from '../../../src/kube-native/crds.js';
import { platformFileOf, platformResource } from '../../../src/kube-native/platform-resource.js';
import { examplePlatformFiles, promotionRecord } from './fixtures.js';
import { structuralProblems } from './structural-check.js';

const crdsDir = new URL('../../../deploy/crds/', import.meta.url);
/** The Helm chart carries the same files in its crds/ folder (Helm installs them first). */
const chartCrdsDir = new URL('../../../deploy/helm/switchyard/crds/', import.meta.url);

type Schema = Record<string, unknown>;

function rootSchema(crd: Schema): Schema {
  const [version] = (crd.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] }).versions;
  if (version === undefined) throw new Error('a CRD without a version');
  return version.schema.openAPIV3Schema;
}

/** The schema of one field of an object schema. */
function field(schema: Schema, name: string): Schema {
  const found = (schema.properties as Record<string, Schema> | undefined)?.[name];
  if (found === undefined) throw new Error(`the schema has no field ${name}`);
  return found;
}

/** An OpenAPI-style validator: Kubernetes' x- keywords and openapi-3.0 nullable are not JSON Schema. */
function validator(schema: Record<string, unknown>) {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  return (value: unknown) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('switchyard.dev CRDs', () => {
  it("match the committed deploy/crds/*.yaml and the Helm chart's crds/ (regenerate both with UPDATE_CRDS=1)", () => {
    for (const [name, text] of Object.entries(crdFiles())) {
      for (const dir of [crdsDir, chartCrdsDir]) {
        const file = new URL(name, dir);
        if (process.env.UPDATE_CRDS === '1') writeFileSync(file, text);
        expect(text, `${name} in ${dir.pathname}`).toBe(readFileSync(file, 'utf8'));
      }
    }
    const yamlIn = (dir: URL) =>
      readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort();
    expect(yamlIn(chartCrdsDir)).toEqual(Object.keys(crdFiles()).sort());
  });

  it('are structural schemas, as kube-apiserver requires of apiextensions.k8s.io/v1', () => {
    expect(structuralProblems(rootSchema(platformCrd()))).toEqual([]);
    expect(structuralProblems(rootSchema(promotionCrd()))).toEqual([]);
  });

  it.each(examplePlatformFiles())(
    'take %s as a Platform whose spec the platform schema still parses',
    (_, file) => {
      const resource = platformResource(file, 'switchyard');
      expect(validator(field(rootSchema(platformCrd()), 'spec'))(resource.spec)).toEqual([]);
      // The resource stands for the file itself: nothing is lost on the way.
      expect(platformFileOf(resource)).toEqual(file);
      expect(platformSchema.safeParse(platformFileOf(resource)).success).toBe(true);
    },
  );

  it("reject a platform spec whose step has a wrong type, at that field's path", () => {
    const [, shop] = examplePlatformFiles().find(([name]) => name === 'shop.yaml') ?? [];
    const { spec } = platformResource(structuredClone(shop ?? {}));
    const traffic = spec.traffic as { steps: { green: unknown }[]; router: unknown };
    traffic.steps[0] = { green: 'ten' };
    delete (spec as Record<string, unknown>).services;
    const problems = validator(field(rootSchema(platformCrd()), 'spec'))(spec);
    expect(problems).toContain('/traffic/steps/0/green must be integer');
    expect(problems).toContain(" must have required property 'services'");
  });

  it("hold a traffic section to a known router, and to that router's own fields by CEL rules", () => {
    const traffic = field(field(rootSchema(platformCrd()), 'spec'), 'traffic');
    const steps = [{ green: 100, bake: '1m' }];
    expect(validator(traffic)({ router: 'dns', steps })).toContain(
      '/router must be equal to one of the allowed values',
    );
    // The rules run on the apiserver only (test/integration/crds.test.ts shows one refusing an object).
    const rules = traffic['x-kubernetes-validations'] as { rule: string; fieldPath: string }[];
    expect(rules.map(({ rule, fieldPath }) => [fieldPath, rule])).toEqual([
      ['.hostedZoneId', 'self.router != "route53" || has(self.hostedZoneId)'],
      ['.recordName', 'self.router != "route53" || has(self.recordName)'],
      ['.recordType', 'self.router != "route53" || has(self.recordType)'],
      ['.listenerArn', 'self.router != "alb" || has(self.listenerArn)'],
    ]);
  });

  it('take the API request as a Promotion spec, with the actions a person edits', () => {
    const validate = validator(field(rootSchema(promotionCrd()), 'spec'));
    const request = { platform: 'shop', targetVersion: '1.35', options: { rollback: { mode: 'stepped' } } };
    expect(validate(request)).toEqual([]);
    expect(validate({ ...request, paused: true, weight: { green: 25 } })).toEqual([]);
    expect(validate({ ...request, rollback: { reason: 'errors on green', mode: 'instant' } })).toEqual([]);
    expect(validate({ platform: 'shop' })).toContain(" must have required property 'targetVersion'");
    expect(validate({ ...request, weight: { green: 101 } })).toContain('/weight/green must be <= 100');
  });

  it("take the API's promotion record as a Promotion status", () => {
    const validate = validator(field(rootSchema(promotionCrd()), 'status'));
    expect(validate(promotionRecord())).toEqual([]);
    expect(validate({ ...promotionRecord(), phase: 'sleeping' })).toContain(
      '/phase must be equal to one of the allowed values',
    );
  });

  it('show platform, phase, stage, green % and age for promotions', () => {
    const [version] = (
      promotionCrd().spec as {
        versions: { additionalPrinterColumns: { name: string; priority?: number }[] }[];
      }
    ).versions;
    const shown = version?.additionalPrinterColumns.filter((column) => column.priority === undefined);
    expect(shown?.map((column) => column.name)).toEqual(['Platform', 'Phase', 'Stage', 'Green %', 'Age']);
  });
});
