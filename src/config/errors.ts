import { SwitchyardError } from '../domain/errors.js';

/** One problem in one configuration source. */
export interface ConfigIssue {
  /** The file as the caller named it (or "environment" for an environment variable). */
  readonly file: string;
  /** Where in the file, e.g. "traffic.steps[1].bake"; empty when the problem is the whole file. */
  readonly path: string;
  readonly problem: string;
  /** Set for YAML syntax errors, which have a position but no path. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * Invalid configuration. Carries every problem found (`issues`), so a platform engineer fixes a file in
 * one round; `file`, `path` and `problem` repeat the first one for callers that show a single line.
 */
export class ConfigError extends SwitchyardError {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly path: string;
  readonly problem: string;
  readonly issues: readonly ConfigIssue[];

  /** `issues` is never empty in practice; an empty list still yields a readable error. */
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.length === 0 ? 'invalid configuration' : issues.map(formatIssue).join('\n'));
    const first = issues[0] ?? { file: '', path: '', problem: 'invalid configuration' };
    this.file = first.file;
    this.path = first.path;
    this.problem = first.problem;
    this.issues = issues;
  }
}

/** "file: path: problem", or "file:line:column: problem" (the form editors and terminals link). */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.line === undefined
      ? issue.file
      : `${issue.file}:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  return [where, issue.path, issue.problem].filter((part) => part !== '').join(': ');
}
