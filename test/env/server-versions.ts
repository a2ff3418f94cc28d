import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './tools.js';

/** The versions of the test servers, as tools/versions.env (their one home) pins them. */
export interface ServerVersions {
  /** Kubernetes version of each cluster's control plane, e.g. { blue: '1.34.4', green: '1.35.4' }. */
  readonly kube: Readonly<Record<'blue' | 'green', string>>;
  readonly etcd: string;
  readonly kwok: string;
}

export function readServerVersions(file = join(projectRoot, 'tools/versions.env')): ServerVersions {
  const values = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) values.set(match[1], match[2]);
  }
  const get = (name: string) => {
    const value = values.get(name);
    if (!value) throw new Error(`${file} sets no ${name}`);
    return value;
  };
  return {
    kube: { blue: get('KUBE_BLUE_VERSION'), green: get('KUBE_GREEN_VERSION') },
    etcd: get('ETCD_VERSION'),
    kwok: get('KWOK_VERSION'),
  };
}

/** Path of a binary in the folder tools/build-kube.sh prints: each is named after its version. */
export function serverBinary(bin: string, command: string, version: string): string {
  return join(bin, `${command}-${version}`);
}
