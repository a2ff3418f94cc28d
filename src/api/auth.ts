/**
 * Bearer tokens with roles. Tokens are kept only as SHA-256 digests and compared in constant time, so
 * neither a memory dump nor response timing gives one away.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function allows(have: Role, need: Role): boolean {
  return rank[have] >= rank[need];
}

export interface Principal {
  readonly name: string;
  readonly role: Role;
}

export interface TokenEntry {
  readonly name: string;
  readonly role: Role;
  /** Hex SHA-256 of the token. */
  readonly sha256: string;
}

export function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class Authenticator {
  private readonly entries: readonly { name: string; role: Role; digest: Buffer }[];

  constructor(
    entries: readonly TokenEntry[],
    /** Reads without a token are allowed when true (mutations never are). */
    readonly publicReads = false,
  ) {
    this.entries = entries.map((e) => ({ name: e.name, role: e.role, digest: Buffer.from(e.sha256, 'hex') }));
  }

  /** The principal for an Authorization header value, or undefined when it names no known token. */
  authenticate(header: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) return undefined;
    const presented = createHash('sha256').update(match[1], 'utf8').digest();
    let found: Principal | undefined;
    // Compare against every entry, without stopping early, so timing does not say which one matched.
    for (const entry of this.entries) {
      if (entry.digest.length === presented.length && timingSafeEqual(entry.digest, presented)) {
        found = { name: entry.name, role: entry.role };
      }
    }
    return found;
  }
}
