import {
  ApiException,
  type CoreV1Api,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Lease,
} from '@kubernetes/client-node';
import type { LeaseApi } from '../../../src/ha/lease-elector.js';

/**
 * An in-memory apiserver for one kind: create (409 when it exists), read (404 when missing) and replace
 * with the resourceVersion precondition (409 when stale), each write bumping the version. Objects are stored
 * and returned as JSON copies, so times come back as strings, as client-node 1.x returns them.
 */
export class FakeObjects<T extends KubernetesObject> {
  readonly #objects = new Map<string, T>();
  #version = 0;

  async create(namespace: string, body: T): Promise<T> {
    const name = body.metadata?.name ?? '';
    if (this.#objects.has(key(namespace, name))) throw apiError(409, 'AlreadyExists');
    return this.#store(namespace, name, body);
  }

  async read(namespace: string, name: string): Promise<T> {
    const object = this.#objects.get(key(namespace, name));
    if (object === undefined) throw apiError(404, 'NotFound');
    return copy(object);
  }

  async replace(namespace: string, name: string, body: T): Promise<T> {
    const stored = this.#objects.get(key(namespace, name));
    if (stored === undefined) throw apiError(404, 'NotFound');
    // As the apiserver does: a replace without a resourceVersion is unconditional.
    const expected = body.metadata?.resourceVersion;
    if (expected !== undefined && expected !== stored.metadata?.resourceVersion)
      throw apiError(409, 'Conflict');
    return this.#store(namespace, name, body);
  }

  /** What is stored now, for assertions; undefined when missing. */
  peek(namespace: string, name: string): T | undefined {
    const object = this.#objects.get(key(namespace, name));
    return object === undefined ? undefined : copy(object);
  }

  #store(namespace: string, name: string, body: T): T {
    const stored = copy({
      ...body,
      metadata: { ...body.metadata, namespace, name, resourceVersion: String(++this.#version) },
    });
    this.#objects.set(key(namespace, name), stored);
    return copy(stored);
  }
}

/**
 * One replica's connection to the fake apiserver: `down` makes every call fail as an unreachable server
 * does, `hung` makes every call wait forever.
 */
export class FakeLink {
  down = false;
  hung = false;

  async pass(): Promise<void> {
    if (this.hung) await new Promise(() => {});
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }
}

export function fakeLeaseApi(server: FakeObjects<V1Lease>, link = new FakeLink()): LeaseApi {
  return {
    createNamespacedLease: ({ namespace, body }) => link.pass().then(() => server.create(namespace, body)),
    readNamespacedLease: ({ namespace, name }) => link.pass().then(() => server.read(namespace, name)),
    replaceNamespacedLease: ({ namespace, name, body }) =>
      link.pass().then(() => server.replace(namespace, name, body)),
  };
}

export function fakeConfigMapApi(
  server: FakeObjects<V1ConfigMap>,
): Pick<CoreV1Api, 'createNamespacedConfigMap' | 'readNamespacedConfigMap' | 'replaceNamespacedConfigMap'> {
  return {
    createNamespacedConfigMap: ({ namespace, body }) => server.create(namespace, body),
    readNamespacedConfigMap: ({ namespace, name }) => server.read(namespace, name),
    replaceNamespacedConfigMap: ({ namespace, name, body }) => server.replace(namespace, name, body),
  };
}

function apiError(code: number, reason: string): ApiException<unknown> {
  return new ApiException(code, reason, { kind: 'Status', code, reason }, {});
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function copy<T>(object: T): T {
  return JSON.parse(JSON.stringify(object)) as T;
}
