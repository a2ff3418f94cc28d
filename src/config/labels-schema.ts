import { z } from 'zod';

/** A label name (the part after an optional prefix), a label value: Kubernetes' label syntax. */
const namePart = /^[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
const prefixPart = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return namePart.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && prefixPart.test(prefix) && namePart.test(key.slice(slash + 1));
}

const labelKeyProblem =
  'must be a label key: a name of up to 63 letters, digits, "-", "_", "." (starting and ending with a letter or digit), optionally after a DNS prefix and "/"';

/**
 * A value is text, as in Kubernetes; `tier: 1` in YAML is a number, so the message says to quote it
 * rather than turning it into "1" silently (a selector's `1` and a label's "1" must compare equal).
 */
const labelValue = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number' || typeof issue.input === 'boolean'
        ? `must be text: quote it ("${issue.input}")`
        : undefined,
  })
  .regex(
    /^$|^[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/,
    'must be a label value: up to 63 letters, digits, "-", "_", "." starting and ending with a letter or digit',
  );

/** `labels: {env: prod, tier: "1"}` on a platform; a fleet stage's selector has the same form. */
// Keys are checked here rather than by the record's key schema, so the problem is reported at the key.
export const labelsSchema = z.record(z.string(), labelValue).superRefine((labels, ctx) => {
  for (const key of Object.keys(labels)) {
    if (!isLabelKey(key)) ctx.addIssue({ code: 'custom', path: [key], message: labelKeyProblem });
  }
});
