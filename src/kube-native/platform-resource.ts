/**
 * A platform file as a Platform resource and back. The file's `name` is the resource's metadata.name
 * (a name in two places could disagree); everything else is the spec, as written, durations and all:
 * the controller parses `platformFileOf(resource)` with the same schema as a file.
 */
import { crdApiVersion, platformNames } from './crds.js';

export interface PlatformResource {
  readonly apiVersion: typeof crdApiVersion;
  readonly kind: typeof platformNames.kind;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: Readonly<Record<string, unknown>>;
}

/** The resource for a platform file's contents (a parsed YAML mapping with its `name`). */
export function platformResource(
  file: Readonly<Record<string, unknown>>,
  namespace?: string,
): PlatformResource {
  const { name, ...spec } = file;
  if (typeof name !== 'string') throw new Error('a platform file needs a name to become a Platform resource');
  return {
    apiVersion: crdApiVersion,
    kind: platformNames.kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec,
  };
}

/** The platform file a resource stands for: what the platform schema parses. */
export function platformFileOf(resource: {
  readonly metadata?: { readonly name?: string };
  readonly spec?: Readonly<Record<string, unknown>>;
}): Record<string, unknown> {
  return { name: resource.metadata?.name, ...resource.spec };
}
