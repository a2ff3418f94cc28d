/**
 * Placeholders in analysis queries: `{{side}}` and friends are filled in once per side, so one query
 * written for green also reads blue when an analysis compares the two.
 */

/** The values a query's placeholders take for one side of the promotion. */
export type TemplateValues = Readonly<Record<string, string>>;

const placeholderPattern = /\{\{\s*([A-Za-z]\w*)\s*\}\}/g;

/** Every placeholder name used in the strings of `value` (searched through lists and mappings). */
export function placeholders(value: unknown): string[] {
  const found = new Set<string>();
  visitStrings(value, (text) => {
    for (const match of text.matchAll(placeholderPattern)) if (match[1]) found.add(match[1]);
  });
  return [...found];
}

/** `value` with every placeholder replaced; throws when one has no value (config checks rule that out). */
export function fillPlaceholders<T>(value: T, values: TemplateValues): T {
  return mapStrings(value, (text) =>
    text.replace(placeholderPattern, (_whole, name: string) => {
      const filled = values[name];
      if (filled === undefined) throw new Error(`no value for the placeholder {{${name}}}`);
      return filled;
    }),
  ) as T;
}

/** A string with every placeholder replaced by "x", to check the shape of what it will become. */
export function withSamplePlaceholders(text: string): string {
  return text.replace(placeholderPattern, 'x');
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) visitStrings(item, visit);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) visitStrings(item, visit);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}
