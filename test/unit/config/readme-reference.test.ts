import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { controllerSchema, platformSchema } from '../../../src/config/schema.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const reference = readme.slice(
  readme.indexOf('## Configuration reference'),
  readme.indexOf('## Safety guarantees'),
);

/** The keys of an object schema, looking through optional/default/pipe/refinement wrappers. */
function keysOf(schema: z.ZodType): string[] {
  let current = schema as unknown as { _zod: { def: Record<string, unknown> } };
  for (let i = 0; i < 10; i++) {
    const def = current._zod.def;
    if (def.type === 'object') return Object.keys(def.shape as object);
    const inner = (def.innerType ?? def.in ?? def.schema) as typeof current | undefined;
    if (!inner) return [];
    current = inner;
  }
  return [];
}

describe('README configuration reference', () => {
  it('names every key of the controller and platform schemas', () => {
    const keys = [...keysOf(controllerSchema), ...keysOf(platformSchema)];
    expect(keys.length).toBeGreaterThan(15);
    const missing = keys.filter((key) => !reference.includes(`\`${key}\``));
    expect(missing, 'keys the README does not document').toEqual([]);
  });
});
