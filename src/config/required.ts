/** The message of a required setting that an environment variable may give instead of the file. */
export function requiredOr(variable: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `required (or set the ${variable} environment variable)` : undefined;
}
