/**
 * A promotion stored by the previous release (test/fixtures/store/promotion-9867589.json was written
 * by commit 9867589's engine, before slots: waiting for approval at 10 % to green) loads into today's
 * store, is brought up to date, and runs to the end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Promotion } from '../../../src/domain/promotion.js';
import { stageNames } from '../../../src/domain/stages.js';
import { readLiveCluster } from '../../../src/engine/live-cluster.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { FakeCloud, initialCloud } from '../../fakes/fake-cloud.js';
import { engineHarness } from '../../fakes/harness.js';

const fixture = new URL('../../fixtures/store/promotion-9867589.json', import.meta.url);

describe('a promotion stored by the previous release', () => {
  let dir: string;
  let db: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-upgrade-'));
    db = join(dir, 'switchyard.db');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  /** The database as the previous release leaves it: schema version 2, the record as it wrote it. */
  async function previousReleaseDatabase(change: (doc: Record<string, unknown>) => void = () => {}) {
    await openSqliteStore(db).close();
    const doc = JSON.parse(await readFile(fixture, 'utf8')) as Record<string, unknown>;
    change(doc);
    const raw = new Database(db);
    raw.exec('DROP TABLE fleet_events; DROP TABLE fleet_runs; DROP TABLE platforms');
    raw.pragma('user_version = 2');
    raw
      .prepare(
        `INSERT INTO promotions (id, platform, phase, active, version, created_at, updated_at, doc)
         VALUES (@id, @platform, @phase, 1, @version, @createdAt, @updatedAt, @doc)`,
      )
      .run({ ...(doc as object), doc: JSON.stringify(doc) });
    raw.close();
    return doc as unknown as Promotion;
  }

  /** The world the record describes: green exists, the router at 10 % to green. */
  function cloudOf(): FakeCloud {
    const cloud = new FakeCloud(initialCloud('shop-blue'));
    cloud.state.clusters['shop-green'] = { pollsLeft: 0, token: 'p-old-provision', promotionId: 'p-old' };
    cloud.state.weights = { blue: 90, green: 10 };
    return cloud;
  }

  it('loads with slots a and b, is migrated, and runs to decommission; its green becomes live', async () => {
    const written = await previousReleaseDatabase();
    const store = openSqliteStore(db);
    try {
      const loaded = await store.get('p-old');
      expect(loaded?.blue).toEqual({ name: 'shop-blue', slot: 'a' });
      expect(loaded?.green).toEqual({ name: 'shop-green', slot: 'b', adopted: false });
      expect(loaded?.stages).toEqual(written.stages);

      const h = engineHarness({ cloud: cloudOf(), store });
      await h.controller.approve('p-old', 'shift-traffic/3-to-50', { name: 'ann', mayDecommission: false });
      const atDecommission = await h.drive('p-old');
      expect(atDecommission.phase).toBe('waiting-approval');
      expect(atDecommission.traffic.history.map((c) => c.green)).toEqual([1, 10, 50, 100]);
      await h.controller.approve('p-old', 'decommission', { name: 'ann', mayDecommission: true });
      const done = await h.drive('p-old');
      expect(done.phase).toBe('succeeded');
      expect(h.cloud.state.deleted).toEqual(['shop-blue']);
      const record = await store.platform('shop');
      expect(record && (await readLiveCluster(store, record))).toMatchObject({
        slot: 'b',
        cluster: 'shop-green',
        promotionId: 'p-old',
      });
    } finally {
      await store.close();
    }
  });

  it('gets a stage it does not know (added by a later release) as pending, and reaches it in order', async () => {
    await previousReleaseDatabase((doc) => {
      // As if decommission had been added after the record was written.
      delete (doc.stages as Record<string, unknown>).decommission;
    });
    const store = openSqliteStore(db);
    try {
      const loaded = await store.get('p-old');
      expect(Object.keys(loaded?.stages ?? {})).toEqual([...stageNames]);
      expect(loaded?.stages.decommission).toEqual({ state: 'pending', message: '', attempts: 0 });
      const h = engineHarness({ cloud: cloudOf(), store });
      await h.controller.approve('p-old', undefined, { name: 'ann', mayDecommission: false });
      expect((await h.drive('p-old')).gates.at(-1)?.id).toBe('decommission');
    } finally {
      await store.close();
    }
  });
});
