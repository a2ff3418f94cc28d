/**
 * What `switchyard` loads before it sends a request: the static import graph of the CLI's entry point.
 * Client verbs (rollback above all) must start in a moment, so nothing heavy is on that path: no AWS SDK,
 * Kubernetes client, HTTP server or controller code, and not even zod or the YAML parser, which load on
 * first use (the API schemas while the first request is on its way). Dynamic imports are the way out.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../env/tools.js';

/** Specifiers of a TypeScript module's static imports and re-exports that stay in the emitted code. */
function staticImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(statement)) {
    // `import type` and `export type` vanish from the emitted code.
    if (match[2] === undefined && match[4] !== undefined) found.push(match[4]);
  }
  return found;
}

/** Every module reached from `entry` through static imports: project files as paths, packages by name. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier));
      }
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the CLI starts light', () => {
  const { files, packages } = importGraph(join(projectRoot, 'src/cli/main.ts'));
  const project = [...files].map((f) => relative(projectRoot, f)).sort();

  it('reads the import statements it walks', () => {
    expect(
      staticImports(
        "import type { A } from './a.js';\nimport { b, type C } from './b.js';\nimport {\n  d,\n} from 'zod';\nexport { e } from './e.js';\nconst f = await import('./f.js');",
      ),
    ).toEqual(['./b.js', 'zod', './e.js']);
  });

  it('loads commander and its own files only: the parsers and schemas load when a request needs them', () => {
    expect([...packages]).toEqual(['commander']);
    expect(project).toContain('src/cli/commands/rollback.ts');
    const heavy = project.filter((f) =>
      /^src\/(server|engine|providers|store|routers\/(?!names)|api\/)/.test(f),
    );
    expect(heavy).toEqual([]);
  });
});
