import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { digest, roles, type TokenEntry } from '../api/auth.js';
import { ConfigError } from '../config/errors.js';

const entrySchema = z
  .strictObject({
    name: z.string().min(1),
    role: z.enum(roles),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 digest')
      .optional(),
    token: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .refine(
    (e) => (e.sha256 === undefined) !== (e.token === undefined),
    'give exactly one of sha256 and token',
  );

/**
 * API tokens from the tokens file (YAML list of { name, role, sha256 | token }) and from
 * SWITCHYARD_TOKENS ("name:role:token,…"). Plain tokens are hashed here and not kept.
 */
export async function loadTokens(options: {
  file?: string | undefined;
  fromEnv?: string | undefined;
}): Promise<TokenEntry[]> {
  const entries: TokenEntry[] = [];
  if (options.file !== undefined) {
    let raw: unknown;
    try {
      raw = parse(await readFile(options.file, 'utf8'));
    } catch (error) {
      throw new ConfigError([
        { file: options.file, path: '', problem: `cannot read tokens: ${(error as Error).message}` },
      ]);
    }
    const parsed = z.array(entrySchema).safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((i) => ({
          file: options.file ?? '',
          path: i.path.map(String).join('.'),
          problem: i.message,
        })),
      );
    }
    for (const e of parsed.data)
      entries.push({ name: e.name, role: e.role, sha256: e.sha256 ?? digest(e.token ?? '') });
  }
  for (const [i, item] of (options.fromEnv ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .entries()) {
    const [name, role, token, ...rest] = item.trim().split(':');
    const parsed = entrySchema.safeParse({ name, role, token });
    if (rest.length > 0 || !parsed.success || token === undefined) {
      throw new ConfigError([
        {
          file: 'environment',
          path: `SWITCHYARD_TOKENS[${i}]`,
          problem:
            'must be name:role:token with role viewer, operator or admin and a token of 16+ characters',
        },
      ]);
    }
    entries.push({ name: parsed.data.name, role: parsed.data.role, sha256: digest(token) });
  }
  return entries;
}
