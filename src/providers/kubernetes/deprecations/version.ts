/** A Kubernetes release reduced to what API removals depend on: major and minor. */
export interface MinorVersion {
  readonly major: number;
  readonly minor: number;
}

// "1.35", "v1.35.4", "1.35.0-eks-1234abcd", "v1.35.4+k3s1" and the "35+" minor some servers report.
const versionPattern = /^v?(\d+)\.(\d+)\+?(?:\.\d+)?(?:[-+].*)?$/;

/** Parses a Kubernetes version string; throws on anything that is not one. */
export function parseVersion(text: string): MinorVersion {
  const match = versionPattern.exec(text.trim());
  if (!match?.[1] || !match[2]) {
    throw new Error(`"${text}" is not a Kubernetes version (expected e.g. 1.35, v1.35.4 or 1.35.0-eks-…)`);
  }
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** Negative when a is older than b, 0 for the same minor release, positive when a is newer. */
export function compareVersions(a: MinorVersion | string, b: MinorVersion | string): number {
  const [x, y] = [toVersion(a), toVersion(b)];
  return x.major !== y.major ? x.major - y.major : x.minor - y.minor;
}

export function formatVersion(version: MinorVersion): string {
  return `${version.major}.${version.minor}`;
}

function toVersion(value: MinorVersion | string): MinorVersion {
  return typeof value === 'string' ? parseVersion(value) : value;
}
