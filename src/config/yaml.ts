import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './errors.js';

export type YamlResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

/**
 * Reads and parses one YAML file. Failures come back as issues (not thrown) so the loader can collect
 * every broken platform file before reporting. `file` names the file in issues; `location` is where
 * to read it from when that differs (an absolute path).
 */
export async function readYamlFile(file: string, location = file): Promise<YamlResult> {
  let text: string;
  try {
    text = await readFile(location, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ file, path: '', problem: readProblem(error) }] };
  }
  // Duplicate keys are errors (the yaml default): with last-wins, a pasted block would silently
  // override the one above it.
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const position = error.linePos?.[0];
        // With prettyErrors the message ends in " at line L, column C:" and a code frame; the position
        // goes into the issue instead.
        const problem = `YAML syntax: ${error.message.split(' at line ')[0]}`;
        return position === undefined
          ? { file, path: '', problem }
          : { file, path: '', problem, line: position.line, column: position.col };
      }),
    };
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) {
    return { ok: false, issues: [{ file, path: '', problem: 'the file is empty; expected a mapping' }] };
  }
  return { ok: true, value };
}

function readProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a YAML file';
  return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
}
