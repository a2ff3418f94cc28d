import type { CoreV1Api } from '@kubernetes/client-node';
import type { PlatformRecord } from '../../domain/slots.js';
import { apiCode, platformLabel, platformRecordName, unlessMissing } from './objects.js';

type ConfigMaps = Pick<CoreV1Api, 'createNamespacedConfigMap' | 'readNamespacedConfigMap'>;

/**
 * Each platform's first record, one ConfigMap per platform. `create` makes the first writer win, as the
 * contract asks (a changed config never moves the live slot): a later one reads back the stored record.
 */
export function platformRecords(core: ConfigMaps, namespace: string) {
  const read = async (name: string): Promise<PlatformRecord | undefined> => {
    const map = await unlessMissing(
      core.readNamespacedConfigMap({ namespace, name: platformRecordName(name) }),
    );
    const record = map?.data?.record;
    return record === undefined ? undefined : (JSON.parse(record) as PlatformRecord);
  };
  return {
    read,
    async record(record: PlatformRecord): Promise<{ record: PlatformRecord; created: boolean }> {
      try {
        await core.createNamespacedConfigMap({
          namespace,
          body: {
            metadata: { name: platformRecordName(record.name), labels: { [platformLabel]: record.name } },
            data: { record: JSON.stringify(record) },
          },
        });
        return { record: JSON.parse(JSON.stringify(record)) as PlatformRecord, created: true };
      } catch (error) {
        if (apiCode(error) !== 409) throw error;
      }
      const stored = await read(record.name);
      if (stored === undefined) throw new Error(`platform ${record.name}: its record vanished while read`);
      return { record: stored, created: false };
    },
  };
}
