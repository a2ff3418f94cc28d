import { readFile } from 'node:fs/promises';
import { parseDocument, type YAMLError } from 'yaml';
import type { ConfigIssue } from './errors.js';

export type YamlResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

/** How many values aliases may expand to in one file (the yaml default): an "alias bomb" stops here. */
const maxAliasCount = 100;

/**
 * Reads and parses one YAML file. Failures come back as issues (not thrown) so the loader can collect
 * every broken platform file before reporting; every issue names `file`. `location` is where to read
 * it from when that differs (an absolute path). The value is not checked beyond "not empty": the
 * caller says what the top level must be.
 */
export async function readYamlFile(file: string, location = file): Promise<YamlResult> {
  let text: string;
  try {
    text = await readFile(location, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ file, path: '', problem: readProblem(error) }] };
  }
  // Duplicate keys are errors (the yaml default): with last-wins, a pasted block would silently
  // override the one above it. Warnings (a tag or directive yaml does not know, so it guessed) are
  // refused too: a config is read as written or not at all. The YAML 1.1 tags (!!binary, !!set,
  // !!omap, !!timestamp) stay unresolved, so a value is only ever a mapping, a list or a scalar.
  // logLevel 'error': yaml would otherwise print its warnings to stderr, outside the JSON log.
  const document = parseDocument(text, { prettyErrors: true, resolveKnownTags: false, logLevel: 'error' });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    return { ok: false, issues: problems.map((error) => positioned(file, error)) };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount });
  } catch (error) {
    // An alias bomb, or an alias with no anchor before it: yaml throws while building values.
    return { ok: false, issues: [{ file, path: '', problem: buildProblem(error) }] };
  }
  if (value === null || value === undefined) {
    return { ok: false, issues: [{ file, path: '', problem: 'the file is empty; expected a mapping' }] };
  }
  return { ok: true, value };
}

/**
 * With prettyErrors the message ends in " at line L, column C:" and a code frame; the position goes
 * into the issue instead. The messages that speak of yaml's API are put in a config author's words.
 */
function positioned(file: string, error: YAMLError): ConfigIssue {
  const position = error.linePos?.[0];
  const message = error.message.split(' at line ')[0] ?? error.message;
  const problem =
    error.code === 'MULTIPLE_DOCS'
      ? 'YAML syntax: more than one document (a second "---"); a config file holds one'
      : /call stack/i.test(message)
        ? 'YAML syntax: nested too deeply to read'
        : error.code === 'TAG_RESOLVE_FAILED'
          ? `YAML: ${message.replace('Unresolved tag: ', 'unsupported tag ').replace('tag:yaml.org,2002:', '!!')}; write the plain value`
          : `${error.name === 'YAMLWarning' ? 'YAML' : 'YAML syntax'}: ${message}`;
  return position === undefined
    ? { file, path: '', problem }
    : { file, path: '', problem, line: position.line, column: position.col };
}

function buildProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/resource exhaustion/.test(message)) {
    return `YAML aliases expand to more than ${maxAliasCount} values (refused: a guard against alias bombs); write the values out or use fewer aliases`;
  }
  return `YAML: ${message}`;
}

function readProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a YAML file';
  return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
}
