import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routerNames } from '../../../src/routers/registry.js';

const root = new URL('../../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('router registry', () => {
  it('is the only place outside its own folder that names a router kind', () => {
    expect(routerNames).toEqual(['route53', 'alb']);
    const offenders: string[] = [];
    for (const file of [...sources('src'), ...sources('stages')]) {
      const path = relative(root, join(root, file));
      if (path === 'src/routers/registry.ts' || path === 'src/routers/names.ts') continue;
      const own = routerNames.find((name) => path.startsWith(`src/routers/${name}/`));
      const text = readFileSync(join(root, file), 'utf8');
      for (const name of routerNames) {
        if (name === own) continue;
        // The AWS client's metric label is the AWS service's name, not a router kind.
        const mentions = [...text.matchAll(new RegExp(`['"\`]${name}['"\`]`, 'g'))].filter(
          (match) =>
            !(path === 'src/providers/aws/clients.ts' && /watchCalls\(/.test(lineOf(text, match.index))),
        );
        if (mentions.length > 0) offenders.push(`${path}: ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

function lineOf(text: string, index: number): string {
  return text.slice(text.lastIndexOf('\n', index) + 1, text.indexOf('\n', index));
}
