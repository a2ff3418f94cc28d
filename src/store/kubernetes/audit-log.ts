import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { ConflictError } from '../../domain/errors.js';
import type { AuditEntry, NewAuditEntry } from '../store.js';
import { type Chunk, chunksToSeal, mergeBySeq } from './event-log.js';
import { apiCode, auditChunkName, auditHeadName, unlessMissing } from './objects.js';

type ConfigMaps = Pick<
  CoreV1Api,
  'createNamespacedConfigMap' | 'readNamespacedConfigMap' | 'replaceNamespacedConfigMap'
>;

export const defaultAuditEntriesPerChunk = 100;

/** Writers racing for the head retry this often before the request fails with a conflict. */
const appendAttempts = 20;

interface Head {
  readonly map: V1ConfigMap | undefined;
  readonly nextSeq: number;
  readonly sealedChunks: number;
  readonly entries: AuditEntry[];
}

/**
 * The audit log: an append-only record that outlives any promotion. The newest entries live in one
 * head ConfigMap (switchyard-audit), written with its resourceVersion as a precondition so concurrent
 * appends from several replicas serialize (a 409 reads the head again and retries: appending commutes).
 * When the head holds `size` entries, they are sealed first into an immutable ConfigMap
 * switchyard-audit-<k> (entries (k-1)·size+1 … k·size), which `kubectl get configmap` shows where a
 * Kubernetes user looks for it. A crash between sealing and trimming the head leaves both holding the
 * same entries; readers take each seq once. Seqs are global: 1, 2, 3, …
 */
export function auditLog(core: ConfigMaps, namespace: string, size = defaultAuditEntriesPerChunk) {
  const readHead = async (): Promise<Head> => {
    const map = await unlessMissing(core.readNamespacedConfigMap({ namespace, name: auditHeadName }));
    return {
      map,
      nextSeq: Number(map?.data?.nextSeq ?? 1),
      sealedChunks: Number(map?.data?.sealedChunks ?? 0),
      entries: JSON.parse(map?.data?.entries ?? '[]') as AuditEntry[],
    };
  };

  const seal = async (chunk: Chunk<AuditEntry>) => {
    const body: V1ConfigMap = {
      metadata: { name: auditChunkName(chunk.index), labels: { 'switchyard.dev/audit': 'sealed' } },
      immutable: true,
      data: { entries: JSON.stringify(chunk.events) },
    };
    try {
      await core.createNamespacedConfigMap({ namespace, body });
    } catch (error) {
      if (apiCode(error) !== 409) throw error;
      const existing = await core.readNamespacedConfigMap({ namespace, name: auditChunkName(chunk.index) });
      if (existing.data?.entries !== body.data?.entries) {
        throw new Error(`audit chunk ${auditChunkName(chunk.index)} holds other entries than the head`);
      }
    }
  };

  /** Writes the head; false when another writer changed (or created) it first. */
  const writeHead = async (head: Head, data: Record<string, string>): Promise<boolean> => {
    try {
      if (head.map === undefined) {
        await core.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name: auditHeadName }, data },
        });
      } else {
        const body: V1ConfigMap = { ...head.map, data };
        await core.replaceNamespacedConfigMap({ namespace, name: auditHeadName, body });
      }
      return true;
    } catch (error) {
      if (apiCode(error) === 409) return false;
      throw error;
    }
  };

  return {
    async append(entry: NewAuditEntry, at: string): Promise<void> {
      for (let attempt = 1; attempt <= appendAttempts; attempt++) {
        const head = await readHead();
        const chunks = chunksToSeal(head.entries, head.sealedChunks, size);
        for (const chunk of chunks) await seal(chunk);
        const kept = head.entries.slice(chunks.length * size);
        const stored: AuditEntry = JSON.parse(JSON.stringify({ ...entry, seq: head.nextSeq, at }));
        const written = await writeHead(head, {
          nextSeq: String(head.nextSeq + 1),
          sealedChunks: String(head.sealedChunks + chunks.length),
          entries: JSON.stringify([...kept, stored]),
        });
        if (written) return;
      }
      throw new ConflictError('the audit log kept changing under this write; try again');
    },

    async newestFirst(limit: number): Promise<AuditEntry[]> {
      const head = await readHead();
      const sources: AuditEntry[][] = [head.entries];
      let count = head.entries.length;
      for (let k = head.sealedChunks; k >= 1 && count < limit; k--) {
        const map = await core.readNamespacedConfigMap({ namespace, name: auditChunkName(k) });
        const entries = JSON.parse(map.data?.entries ?? '[]') as AuditEntry[];
        sources.push(entries);
        count += entries.length;
      }
      return mergeBySeq(...sources)
        .reverse()
        .slice(0, limit);
    },
  };
}
