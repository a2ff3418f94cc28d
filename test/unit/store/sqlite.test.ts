import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreLockedError } from '../../../src/store/errors.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { promotionStoreContract } from './contract.js';
import { anEvent, aPromotion, storeNow } from './fixtures.js';
import { fleetRunStoreContract } from './fleet-contract.js';
import { aFleetEvent, aFleetRun } from './fleet-fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');
const childScript = join(here, 'sqlite-child.ts');
const open = (path: string) => openSqliteStore(path, { now: () => storeNow });

promotionStoreContract('sqlite store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-store-'));
  const store = open(join(dir, 'switchyard.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

fleetRunStoreContract('sqlite store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-store-'));
  const store = open(join(dir, 'switchyard.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store on disk', () => {
  let dir: string;
  let db: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-store-'));
    db = join(dir, 'switchyard.db');
  });
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts sqlite-child.ts; `line` resolves with its one line of output (or its stderr if it had none). */
  function child(mode: 'once' | 'hold') {
    const proc = spawn(process.execPath, ['--import', 'tsx', childScript, db, mode], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(proc);
    let out = '';
    let err = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    const exited = new Promise<number | string>((resolve) => {
      proc.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
    const line = new Promise<string>((resolve) => {
      proc.stdout?.on('data', () => {
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      void exited.then((code) => resolve(out.trim() || `exited ${code}: ${err.trim()}`));
    });
    return { proc, line, exited };
  }

  it('keeps promotions and events across close and reopen', async () => {
    const first = open(db);
    const created = await first.create(aPromotion(), [anEvent('created', { by: 'test' })]);
    const updated = await first.update({ ...created, phase: 'paused' }, [anEvent('paused')]);
    const events = await first.events(created.id);
    await first.close();

    const second = open(db);
    expect(await second.get(created.id)).toEqual(updated);
    expect(await second.events(created.id)).toEqual(events);
    expect((await second.update(updated, [anEvent('resumed')])).version).toBe(3);
    await second.close();
  });

  it('keeps fleet runs and their events across close and reopen', async () => {
    const first = open(db);
    const created = await first.fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    const paused = await first.fleets.updateRun({ ...created, state: 'paused' }, [
      aFleetEvent('fleet.paused'),
    ]);
    const events = await first.fleets.runEvents(created.id);
    await first.close();

    const second = open(db);
    expect(await second.fleets.getRun(created.id)).toEqual(paused);
    expect(await second.fleets.activeRuns()).toEqual([paused]);
    expect(await second.fleets.runEvents(created.id)).toEqual(events);
    expect((await second.fleets.updateRun(paused, [aFleetEvent('fleet.resumed')])).version).toBe(3);
    await second.close();
  });

  it('adds the fleet tables to a database from before fleet runs, keeping its promotions', async () => {
    const before = open(db);
    const created = await before.create(aPromotion(), [anEvent('created')]);
    await before.close();
    const raw = new Database(db);
    raw.exec('DROP TABLE fleet_events; DROP TABLE fleet_runs');
    raw.pragma('user_version = 3');
    raw.close();

    const after = open(db);
    expect(await after.get(created.id)).toEqual(created);
    const run = await after.fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    expect(await after.fleets.getRun(run.id)).toEqual(run);
    await after.close();
    const check = new Database(db, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(4);
    check.close();
  });

  it('keeps the fleet event log append-only even against a raw connection', async () => {
    const store = open(db);
    await store.fleets.createRun(aFleetRun(), [aFleetEvent('fleet.created')]);
    await store.close();
    const raw = new Database(db);
    expect(() => raw.exec("UPDATE fleet_events SET message = 'edited'")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM fleet_events')).toThrow(/append-only/);
    raw.close();
  });

  it('refuses a second controller while one holds the database, and admits it after close', async () => {
    const holder = open(db);
    expect(await child('once').line).toBe('StoreLockedError');
    expect(() => open(db)).toThrow(StoreLockedError);
    expect(() => open(db)).toThrow(`${db} is in use by another Switchyard controller`);

    // The holder itself reads and writes as usual.
    const created = await holder.create(aPromotion(), [anEvent('created')]);
    expect((await holder.update(created, [])).version).toBe(2);
    expect(await holder.events(created.id)).toHaveLength(1);

    await holder.close();
    const next = child('once');
    expect(await next.line).toBe('OK');
    expect(await next.exited).toBe(0);
  }, 30_000);

  it('releases the lock when the holding process is killed with SIGKILL', async () => {
    const a = child('hold');
    expect(await a.line).toBe('READY');
    expect(() => open(db)).toThrow(StoreLockedError);

    a.proc.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');

    expect(await child('once').line).toBe('OK');
    // What the killed process committed survived it.
    const store = open(db);
    expect((await store.get('from-child'))?.platform).toBe('child');
    await store.close();
  }, 30_000);

  it('opens a database of the schema before slots and upgrades its promotions on read', async () => {
    // Written by the previous release: schema version 2, promotions without slots.
    const before = open(db);
    const created = await before.create(aPromotion(), [anEvent('created')]);
    await before.close();
    const raw = new Database(db);
    const { blue, green, ...rest } = created;
    const legacy = {
      ...rest,
      blue: { name: blue.name },
      green: { name: green.name, adopted: green.adopted },
    };
    raw.prepare('UPDATE promotions SET doc = ? WHERE id = ?').run(JSON.stringify(legacy), created.id);
    raw.exec('DROP TABLE fleet_events; DROP TABLE fleet_runs; DROP TABLE platforms');
    raw.pragma('user_version = 2');
    raw.close();

    const after = open(db);
    const loaded = await after.get(created.id);
    expect(loaded?.blue).toEqual({ name: blue.name, slot: 'a' });
    expect(loaded?.green).toEqual({ name: green.name, slot: 'b', adopted: false });
    // It keeps running: the upgraded record is written back like any other.
    expect((await after.update({ ...(loaded ?? created), phase: 'paused' }, [])).version).toBe(2);
    expect((await after.list())[0]?.green.slot).toBe('b');
    const record = {
      name: 'payments',
      initial: { slot: 'a', cluster: 'payments-blue' },
      firstSeenAt: 'x',
    } as const;
    expect((await after.recordPlatform(record)).created).toBe(true);
    await after.close();
  });

  it('refuses a database written by a newer schema', async () => {
    const raw = new Database(db);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => open(db)).toThrow(/schema version 99, newer than/);
    // The failed open released the file: trying again meets the schema, not a lock.
    expect(() => open(db)).toThrow(/schema version 99, newer than/);
  });
});
